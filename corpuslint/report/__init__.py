"""The HTML corpus health report (``corpuslint report``).

One self-contained HTML file (inline CSS, JS and SVG; no network request at all)
that shows the state of a corpus at a glance and stays usable at 100,000 files:

* ``collect``: runs after a normal check; turns each file's findings into its
  quality signals (``corpuslint.signals``) in worker processes;
* ``aggregate``: everything the page shows about the whole corpus, computed in
  Python (counts per family and code, worst files, duplicate clusters,
  histograms);
* ``embed``: the per-file data the page's script needs, as compact JSON, with
  the document texts and finding details bounded by a byte budget;
* ``charts``: the histograms as inline SVG;
* ``render``: the page itself (template, CSS and JS under ``assets/``).

The page renders the file list in pages, searches it in JS and builds a file's
text view only when it is opened, so the DOM stays small at any corpus size.
"""

from corpuslint.report.model import ReportFile, ReportOptions
from corpuslint.report.render import render_report

__all__ = ["ReportFile", "ReportOptions", "render_report"]
