"""Personal names for comparison: one written form (width folded, no spaces, Simplified
characters through OpenCC) and its sound (toneless pinyin through pypinyin), so that 張偉, 张 伟
and 张伟 are one name and 张伟/张玮 are recognised as homophones.

These are comparison keys, never what is stored or shown: a name is kept as it was written.
"""

import functools
import re
import unicodedata

import opencc
from pypinyin import lazy_pinyin

_TRADITIONAL_TO_SIMPLIFIED = opencc.OpenCC("t2s")
# Middle dots of minority and foreign names (阿卜杜·热合曼) as people type them.
_HAN_RANGE = "\u3400-\u9fff\U00020000-\U0003134f"
_HAN = re.compile(f"[{_HAN_RANGE}]")
# One Han character, or a run of anything else (a Latin name) up to a middle dot.
_HAN_OR_OTHER = re.compile(f"[{_HAN_RANGE}]|[^{_HAN_RANGE}·]+")
_DOTS = re.compile(r"[.．・•‧∙⋅･]")
# Initials and finals that speakers of many dialects do not tell apart (zh/z, n/l, -ng/-n):
# a clerk writing down a spoken name makes exactly these mistakes.
# These are the fuzzy-pinyin options of Chinese input methods.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"), ("f", "h"))
_FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


@functools.lru_cache(maxsize=1 << 18)
def normalise_name(value: str) -> str:
    """The comparable written form: NFKC (full-width to ASCII), no spaces, one middle dot,
    Traditional characters made Simplified, Latin letters upper case."""
    folded = "".join(unicodedata.normalize("NFKC", str(value)).split())
    folded = _DOTS.sub("·", folded).strip("·")
    return _TRADITIONAL_TO_SIMPLIFIED.convert(folded).upper()


@functools.lru_cache(maxsize=1 << 14)
def _syllable(character: str) -> str:
    return lazy_pinyin(character)[0].lower()


def name_pinyin(name: str) -> str:
    """Toneless pinyin of a normalised name, one syllable per character, space separated.
    Each character takes its most common reading, the same on both sides of a comparison."""
    return " ".join(_syllable(part) if len(part) == 1 and _HAN.match(part) else part.lower()
                    for part in _HAN_OR_OTHER.findall(name))


@functools.lru_cache(maxsize=1 << 10)
def fuzzy_syllable(syllable: str) -> str:
    """A syllable with the commonly confused initials and finals merged (zhang → zan)."""
    for spoken, merged in _FUZZY_INITIALS:
        if syllable.startswith(spoken):
            syllable = merged + syllable[len(spoken):]
            break
    for spoken, merged in _FUZZY_FINALS:
        if syllable.endswith(spoken):
            return syllable[: -len(spoken)] + merged
    return syllable


def fuzzy_pinyin(pinyin: str) -> str:
    """The pinyin of a name with dialect confusions merged: 刘/牛 and 陈/岑 sound alike."""
    return " ".join(fuzzy_syllable(syllable) for syllable in pinyin.split())
