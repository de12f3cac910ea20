"""Generate the labelled BP evaluation set (deterministic).

Clean articles are assembled from human-written Wikipedia sentences
(``/work/shared/data/mlqe-pe/english-source.jsonl``; the dev and held-out splits use
disjoint halves of it), then boilerplate is injected the way scraped sites carry it:
each file belongs to a site whose profile fixes its ad-marker style, its header and
footer lines and one or two site-specific footer lines that no pattern table knows
(BP010). Lines come from the templates of ``evalsets/bp/<split>.toml`` (case,
decoration and misspelling variants applied here). Clean look-alike lines and
sentences that mention ads, cookies, newsletters, photos, e-mail and comments in
ordinary prose, and ordinary headings, are mixed in.

Output: ``<out>/<split>/files/NNNNN_<site>.txt`` and ``<out>/<split>/labels.jsonl``
(one record per file: ``{"file": ..., "lines": {"<row>": "<CODE>"}}``, rows 1-based).
"""

from __future__ import annotations

import json
import random
import re
import string
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "evalsets" / "bp"
SENTENCES = Path("/work/shared/data/mlqe-pe/english-source.jsonl")
Row = tuple[str, "str | None"]
MONTHS = "January February March April May June July August September October November December"


def load_sentences(path: Path = SENTENCES) -> list[str]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"].strip()
            if 40 <= len(text) <= 320 and text[0].isupper() and text.endswith("."):
                out.append(text)
    return out


def split_sentences(sentences: list[str], split: str) -> list[str]:
    """Disjoint halves: dev gets even positions of a fixed shuffle, held-out the odd ones."""
    order = list(sentences)
    random.Random(20240320).shuffle(order)
    return order[0::2] if split == "dev" else order[1::2]


@dataclass
class Site:
    name: str
    domain: str
    blank_lines: bool
    ads: list[str] = field(default_factory=list)  # ad marker lines of this site
    header: list[tuple[str, str]] = field(default_factory=list)  # (code, template)
    footer: list[tuple[str, str]] = field(default_factory=list)
    site_lines: list[str] = field(default_factory=list)  # BP010, filled once
    fills: dict[str, str] = field(default_factory=dict)  # per-site constant fills
    nav_style: str = "none"  # "single", "list", "none"
    caption_rate: float = 0.0
    inline_rate: float = 0.0
    cta_mid: str | None = None
    link_mid: str | None = None


class Generator:
    def __init__(self, split: str, seed: int = 7):
        self.split = split
        self.rng = random.Random(f"{split}:{seed}")
        self.tpl = tomllib.loads((TEMPLATES / f"{split}.toml").read_text(encoding="utf-8"))
        self.common = tomllib.loads((TEMPLATES / "common.toml").read_text(encoding="utf-8"))
        self.sentences = split_sentences(load_sentences(), split)
        self.cursor = 0
        self.uses: Counter[str] = Counter()
        self.recur_cap = 2

    # -- fills -------------------------------------------------------------------

    def sentence(self) -> str:
        s = self.sentences[self.cursor % len(self.sentences)]
        self.cursor += 1
        return s

    def headline(self) -> str:
        words = self.sentence().rstrip(".").split()
        n = self.rng.randint(5, 12)
        words = words[:n]
        text = " ".join(words).rstrip(",;:")
        if self.rng.random() < 0.6:
            small = {"a", "an", "the", "of", "in", "on", "and", "to", "for", "at", "by", "with"}
            text = " ".join(
                w if (i and w.lower() in small) else w[:1].upper() + w[1:]
                for i, w in enumerate(text.split())
            )
        return text

    def date(self) -> str:
        month = self.rng.choice(MONTHS.split())
        day = self.rng.randint(1, 28)
        year = self.rng.randint(2019, 2025)
        return self.rng.choice([f"{month} {day}, {year}", f"{day} {month} {year}"])

    def person(self) -> str:
        return self.rng.choice(self.common["people"])

    def caption(self) -> str:
        c = self.rng.choice(self.common["captions"])
        return c.format(
            person=self.person(),
            person2=self.person(),
            city=self.rng.choice(self.common["cities"]),
            date=self.date(),
            year=self.rng.randint(1990, 2024),
        )

    def fill(self, template: str, site: Site, **fixed: str) -> str:
        rng = self.rng
        author, author2, author3 = rng.sample(self.common["authors"], 3)
        first, last = author.split()[0], author.split()[-1]
        handle = rng.choice([f"{first}{last}", f"{first[0]}{last}", f"{last}_{first[0]}"])
        handle = re.sub(r"[^A-Za-z0-9_]", "", handle)
        email_user = re.sub(r"[^a-z.]", "", f"{first[0]}{last}".lower())
        photographer = rng.choice(self.common["photographers"])
        agency = rng.choice(self.common["agencies"])
        tags = rng.sample(self.common["tags"], 3)
        sections = rng.sample(self.common["sections"], 2)
        values = {
            "site": site.name,
            "site_upper": site.name.upper(),
            "author": author,
            "author2": author2,
            "author3": author3,
            "author_upper": author.upper(),
            "email": f"{email_user}@{site.domain}",
            "handle": handle,
            "year": str(rng.randint(2015, 2025)),
            "city": rng.choice(self.common["cities"]),
            "date": self.date(),
            "agency": agency,
            "agency_upper": agency.upper(),
            "photographer": photographer,
            "photographer_upper": photographer.upper(),
            "caption": self.caption(),
            "headline": self.headline(),
            "tag1": tags[0],
            "tag2": tags[1],
            "tag3": tags[2],
            "section": sections[0],
            "section2": sections[1],
            "n": str(rng.randint(2, 9)),
            "m": str(rng.randint(10, 24)),
            "network": rng.choice(self.common["networks"]),
            "region": rng.choice(self.common["regions"]),
        }
        values.update(site.fills)
        values.update(fixed)
        return template.format(**values)

    # -- variants ------------------------------------------------------------------

    def variant(self, text: str, code: str) -> str:
        """Case and decoration variants for short marker lines."""
        table = self.tpl[code]
        rng = self.rng
        if table.get("decorate"):
            case = rng.choice(self.tpl["variants"]["case"])
            if case == "upper":
                text = text.upper()
            elif case == "lower":
                text = text.lower()
            elif case == "title":
                text = string.capwords(text)
            text = rng.choice(self.tpl["variants"]["decorations"]).format(text)
        return text

    def misspell(self, word: str) -> str:
        rng = self.rng
        chars = list(word)
        i = rng.randrange(2, len(chars) - 1)
        op = rng.choice(["drop", "swap", "double", "vowel"])
        if op == "drop":
            del chars[i]
        elif op == "swap":
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif op == "double":
            chars.insert(i, chars[i])
        else:
            vowels = [j for j, c in enumerate(chars) if c in "aeiou" and j > 1]
            if vowels:
                j = rng.choice(vowels)
                chars[j] = rng.choice([v for v in "aeiou" if v != chars[j]])
        return "".join(chars)

    # -- sites -----------------------------------------------------------------------

    def make_sites(self) -> list[Site]:
        rng = self.rng
        sites = []
        for name in self.common["sites"]:
            domain = re.sub(r"[^a-z]", "", name.lower().removeprefix("the ")) + ".com"
            site = Site(name, domain, blank_lines=rng.random() < 0.6)
            site.fills = {
                "network": rng.choice(self.common["networks"]),
                "region": rng.choice(self.common["regions"]),
                "year": str(rng.randint(1985, 2012)),
                "city": rng.choice(self.common["cities"]),
            }
            t = self.tpl
            if rng.random() < 0.7:
                ad = rng.choice(t["BP001"]["lines"])
                if ad in t["BP001"].get("misspell", []) and rng.random() < 0.4:
                    ad = self.misspell(ad)
                site.ads = [self.variant(self.fill(ad, site), "BP001")]
            for code in ("BP002", "BP005", "BP003", "BP008"):
                if rng.random() < 0.35:
                    site.header.append((code, rng.choice(t[code]["lines"])))
            for code in ("BP005", "BP005", "BP004", "BP007", "BP007", "BP003", "BP008", "BP002"):
                if rng.random() < 0.45:
                    site.footer.append((code, rng.choice(t[code]["lines"])))
            n_site = rng.choice([1, 1, 2])
            for tpl in rng.sample(t["BP010"]["site_lines"], n_site):
                site.site_lines.append(self.fill(tpl, site))
            site.nav_style = rng.choice(["single", "list", "none", "none"])
            site.caption_rate = rng.choice([0.0, 0.2, 0.5])
            site.inline_rate = rng.choice([0.0, 0.0, 0.3])
            if rng.random() < 0.3:
                site.cta_mid = rng.choice(t["BP003"]["lines"])
            if rng.random() < 0.3:
                site.link_mid = rng.choice(t["BP002"]["lines"])
            sites.append(site)
        return sites

    # -- articles --------------------------------------------------------------------

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def clean_item(self, kind: str, used: set[str]) -> str:
        """A look-alike line or heading from the templates, at most once per file.

        Specific prose does not recur verbatim across a real corpus: a template item of
        three or more words is used as written in at most ``recur_cap`` files; after that
        it comes back reworded (a lead-in clause and other numbers for a line, a heading
        made from another sentence). One- and two-word headings ("Background") recur freely,
        as they do in real text.
        """
        rng = self.rng
        item = rng.choice([x for x in self.tpl["clean"][kind] if x not in used] or ["Overview"])
        used.add(item)
        if len(item.split()) < 3 or self.uses[item] < self.recur_cap:
            self.uses[item] += 1
            return item
        if kind == "headings":
            return self.headline_short()
        lead = rng.choice(
            [
                "In {y}, ",
                "According to the report, ",
                "By the end of {y}, ",
                "Locally, ",
                "At the time, ",
            ]
        ).format(y=rng.randint(1950, 2023))
        body = re.sub(r"\d+", lambda m: str(rng.randint(2, 99)), item)
        first = body.split()[0]
        keep_case = first.isupper() or (first[:1].isupper() and first[1:2].isupper())
        return lead + (body if keep_case else body[:1].lower() + body[1:])

    def headline_short(self) -> str:
        words = self.sentence().rstrip(".").split()[: self.rng.randint(2, 6)]
        return " ".join(w[:1].upper() + w[1:] for w in words).rstrip(",;:")

    def clean_article(self) -> list[tuple[str, str | None]]:
        """(line, label) pairs of a clean article: title, paragraphs, headings, look-alikes."""
        rng = self.rng
        used: set[str] = set()
        out: list[tuple[str, str | None]] = [(self.headline(), None)]
        n = rng.randint(4, 10)
        for i in range(n):
            if i and rng.random() < 0.15:
                if rng.random() < 0.5:
                    out.append((self.clean_item("headings", used), None))
                else:
                    out.append((self.headline_short(), None))
            para = self.paragraph()
            if rng.random() < 0.12:
                para = para + " " + self.clean_item("inline", used)
            out.append((para, None))
            if rng.random() < 0.08:
                out.append((self.clean_item("lines", used), None))
        return out

    def article(self, site: Site, boiler: bool) -> list[list[Row]]:
        """Items of the article: each a list of rows printed without blank lines between."""
        rng = self.rng
        t = self.tpl
        body = [[row] for row in self.clean_article()]
        if not boiler:
            return body
        title, paras = body[0], body[1:]
        top: list[list[Row]] = []
        for code, tpl in site.header:
            top.append([(self.variant(self.fill(tpl, site), code), code)])
        if rng.random() < site.caption_rate:
            top.append([(self.fill(rng.choice(t["BP006"]["lines"]), site), "BP006")])
        mid: list[list[Row]] = []
        for i, item in enumerate(paras):
            text, label = item[0]
            if label is None and rng.random() < site.inline_rate and len(text) > 80:
                item = [(self.inline_caption(text, site), "BP009")]
            mid.append(item)
            if i < len(paras) - 1:
                if site.ads and rng.random() < 0.25:
                    mid.append([(site.ads[0], "BP001")])
                if rng.random() < site.caption_rate / 3:
                    mid.append([(self.fill(rng.choice(t["BP006"]["lines"]), site), "BP006")])
                if site.cta_mid and rng.random() < 0.12:
                    mid.append([(self.variant(self.fill(site.cta_mid, site), "BP003"), "BP003")])
                if site.link_mid and rng.random() < 0.12:
                    mid.append([(self.variant(self.fill(site.link_mid, site), "BP002"), "BP002")])
        groups: list[list[list[Row]]] = []
        for code, tpl in site.footer:
            if rng.random() < 0.9:
                groups.append([[(self.variant(self.fill(tpl, site), code), code)]])
        for line in site.site_lines:
            if rng.random() < 0.95:
                groups.append([[(line, "BP010")]])
        if site.nav_style != "none" and rng.random() < 0.8:
            groups.append(self.nav_block(site))
        rng.shuffle(groups)
        bottom = [item for group in groups for item in group]
        items = [title, *top, *mid, *bottom]
        if rng.random() < 0.08:  # the title again at the end of the page (BP011)
            items.append([(title[0][0], "BP011")])
        return items

    def nav_block(self, site: Site) -> list[list[Row]]:
        rng = self.rng
        nav = self.tpl["BP002"]
        bullets = nav.get("headline_bullets", [""])
        items: list[list[Row]] = []
        if site.nav_style == "single":
            for header in rng.sample(nav["single_headers"], 2):
                heads = [(header, "BP002")] * (2 if rng.random() < 0.4 else 1)
                items.append(heads)
                items.append([(self.headline(), "BP002")])
        else:
            header = self.variant(self.fill(rng.choice(nav["list_headers"]), site), "BP002")
            bullet = rng.choice(bullets)
            heads = [(bullet + self.headline(), "BP002") for _ in range(rng.randint(2, 4))]
            if rng.random() < 0.5:
                items.append([(header, "BP002"), *heads])
            else:
                items.append([(header, "BP002")])
                items.extend([h] for h in heads)
        return items

    def inline_caption(self, para: str, site: Site) -> str:
        tpl = self.rng.choice(self.tpl["BP009"]["inline"])
        cap = self.fill(tpl, site)
        parts = re.split(r"(?<=\.) (?=[A-Z])", para)
        at = self.rng.randint(1, len(parts))
        return " ".join([*parts[:at], cap, *parts[at:]])


def render(items: list[list[Row]], blank_lines: bool) -> tuple[str, dict[str, str]]:
    """Join the items (separated by a blank line on sites that use them)."""
    out: list[str] = []
    labels: dict[str, str] = {}
    for item in items:
        if blank_lines and out:
            out.append("")
        for text, label in item:
            out.append(text)
            if label:
                labels[str(len(out))] = label
    return "\n".join(out) + "\n", labels


def generate(out_dir: Path, split: str, files: int, seed: int = 7) -> Path:
    gen = Generator(split, seed)
    gen.recur_cap = max(2, files // 200)  # 0.5% of the files
    sites = gen.make_sites()
    weights = [1.0 / (i + 1) ** 0.6 for i in range(len(sites))]
    target = out_dir / split
    files_dir = target / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    for old in files_dir.glob("*.txt"):
        old.unlink()
    records = []
    for i in range(files):
        site = gen.rng.choices(sites, weights)[0]
        boiler = gen.rng.random() < 0.8
        items = gen.article(site, boiler)
        text, labels = render(items, site.blank_lines)
        slug = re.sub(r"[^a-z]", "", site.name.lower())[:12]
        name = f"{i:05d}_{slug}.txt"
        (files_dir / name).write_text(text, encoding="utf-8")
        records.append({"file": name, "site": site.name, "lines": labels})
    with open(target / "labels.jsonl", "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return target
