"""A readable diff between two versions of a convention's text (Python's difflib): lines
kept, removed and added, and within a changed line the characters that changed (Chinese
text has no spaces to split words on). The result is data, never HTML: the template writes
it with autoescaping, so a version's text cannot inject markup."""

import difflib
from dataclasses import dataclass, field

# Beyond this many characters on either side a changed block is shown as whole lines
# removed and added: a character diff of long blocks is quadratic.
CHARACTER_DIFF_LIMIT = 4000


@dataclass
class DiffLine:
    kind: str  # "same", "removed", "added" or "changed"
    # (kind, text) pieces: kind is "same", "removed" or "added".
    segments: list[tuple[str, str]] = field(default_factory=list)


def _characters(old: str, new: str) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    segments: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(("same", old[i1:i2]))
            continue
        if i2 > i1:
            segments.append(("removed", old[i1:i2]))
        if j2 > j1:
            segments.append(("added", new[j1:j2]))
    return segments


def version_diff(old: str, new: str) -> list[DiffLine]:
    """The lines of ``new`` against ``old``: same, removed, added, or changed (a line
    replaced one for one, with its characters marked)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", [("same", line)]) for line in old_lines[i1:i2]]
            continue
        before, after = old_lines[i1:i2], new_lines[j1:j2]
        if (tag == "replace" and len(before) == len(after)
                and sum(map(len, before)) + sum(map(len, after)) <= CHARACTER_DIFF_LIMIT):
            lines += [DiffLine("changed", _characters(a, b))
                      for a, b in zip(before, after, strict=True)]
            continue
        lines += [DiffLine("removed", [("removed", line)]) for line in before]
        lines += [DiffLine("added", [("added", line)]) for line in after]
    return lines
