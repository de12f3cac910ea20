"""Line bounds by offset without rescanning the text for every finding."""

from __future__ import annotations

from bisect import bisect_right


class Lines:
    """The ``\\n``-separated lines of a text, indexed once on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None

    def _index(self) -> list[int]:
        if self._starts is None:
            text = self._text
            starts = [0]
            pos = text.find("\n")
            while pos >= 0:
                starts.append(pos + 1)
                pos = text.find("\n", pos + 1)
            self._starts = starts
        return self._starts

    def bounds(self, offset: int) -> tuple[int, int]:
        """``(start, end)`` of the line holding ``offset``, without its newline."""
        starts = self._index()
        row = bisect_right(starts, offset) - 1
        start = starts[row]
        end = starts[row + 1] - 1 if row + 1 < len(starts) else len(self._text)
        return start, end
