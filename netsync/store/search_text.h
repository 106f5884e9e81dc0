// Search text: the key the store indexes attendee names, emails and order codes under, and the
// length rule's character count. ICU stays out of this header.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kiosk {

// The search key of a text: the store indexes search_key(name) and compares it with
// search_key(query), so attendees find their ticket however they (or the shop) spelled it:
// "MÜLLER", "Müller" and "muller" are one key, as are "ΣΩΚΡΑΤΗΣ" and "σωκρατης", "Иванова" and
// "иванова". Substring search works on keys too: search_key("Mül") is part of search_key("Müller").
//
// Steps, in this order:
//  1. Decode UTF-8. Invalid input never throws or crashes: each ill-formed sequence (a stray
//     continuation byte, a truncated or overlong sequence, an encoded surrogate, a byte above F4)
//     becomes U+FFFD, one per maximal ill-formed subpart as Unicode recommends. The replacement
//     stays in the key, so a mis-encoded name matches neither its real spelling nor other garbage
//     by accident, and the key is always valid UTF-8.
//  2. NFKC_Casefold: compatibility forms become their plain letters (full-width "ＡＢＣ" is "abc",
//     half-width "ｶﾀｶﾅ" is "カタカナ", the ligature "ﬁ" is "fi", Arabic presentation forms their
//     letters), full case folding ("ß" and "ẞ" are "ss", final "ς" is "σ", "İ" is "i̇"), and default
//     ignorables (soft hyphen, zero-width space and joiners, variation selectors) are removed.
//  3. Accents are removed where they are accents: nonspacing and enclosing marks after a letter of
//     the Latin, Greek, Cyrillic, Arabic or Hebrew script (or after no letter, a digit, punctuation)
//     go ("é" is "e", "Å" is "a", "ё" is "е", also "й" is "и", "Ά" is "α", Arabic harakat and the
//     hamza of "أ", Hebrew niqqud). Marks of other scripts are letters there and stay: Japanese
//     dakuten ("ガ" is not "カ"), Devanagari vowel signs and virama, Thai vowels and tone marks.
//     Arabic tatweel (kashida, only stretches a word) goes too.
//  4. Latin letters with a stroke or bar, which Unicode does not decompose, and two ligatures get
//     their plain letters, the way people without the key type them: "ł" is "l", "ø" "o",
//     "đ" "d", "ħ" "h", "ŧ" "t", dotless "ı" "i", "æ" "ae", "œ" "oe".
//  5. NFC, so what stayed is composed again (Hangul syllables, "ガ").
//  6. Control characters (C0, DEL, C1: tab, newline, NUL) become a space: a key never holds a
//     NUL byte, which SQLite and FTS5 treat as the end of text.
// Not changed: other whitespace and punctuation (compatibility spaces such as U+00A0 and U+3000
// become U+0020 in step 2), digits of other scripts, Han, Hangul and kana. The key is not trimmed
// and runs of spaces are not collapsed.
// ASCII-only text, most emails and order codes, takes a fast path (A-Z and controls change).
//
// Stable: search_key(search_key(x)) == search_key(x). Thread-safe: no shared mutable state (ICU's
// normalizers are immutable singletons). Throws only when memory runs out (std::bad_alloc) or
// the text is longer than 256 MiB (std::length_error).
std::string search_key(std::string_view utf8);

// The number of user-perceived characters in a text: extended grapheme clusters (Unicode UAX #29),
// so "Mül" is 3 whether "ü" is one code point or "u" plus a combining mark, a flag or an emoji
// family is 1, and "\r\n" is 1. Ill-formed UTF-8 counts as U+FFFD, one per ill-formed sequence,
// as in search_key. It counts the text given, spaces and punctuation included: to gate on what is
// actually searched, count search_key(query) ("ß" is 1 character, its key "ss" 2).
// Thread-safe (one break iterator per thread). Throws like search_key.
size_t character_count(std::string_view utf8);

} // namespace kiosk
