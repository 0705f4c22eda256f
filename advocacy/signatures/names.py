"""People's names as they give them: a given name (or the only name) and an optional family name,
shown in the order the signer chose. A name is never split by us: "Nguyễn Văn An" split at its
last space would make "An" a family name it is not."""
import unicodedata

# Scripts whose names are written without a space between family and given name (山田太郎, 김민준).
_UNSPACED_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA", "HANGUL")


def _unspaced(text: str) -> bool:
    return bool(text) and all(unicodedata.name(ch, "").startswith(_UNSPACED_SCRIPTS) for ch in text)


def display_name(given_name: str, family_name: str | None, family_name_first: bool = False) -> str:
    """The whole name in the signer's own order: "Siobhán O'Brien", "Nguyễn Văn An" (family first),
    "山田太郎" (family first, no space between Han, kana or Hangul), "Madonna" (one name)."""
    given, family = (given_name or "").strip(), (family_name or "").strip()
    if not family:
        return given
    first, second = (family, given) if family_name_first else (given, family)
    return first + ("" if _unspaced(first) and _unspaced(second) else " ") + second
