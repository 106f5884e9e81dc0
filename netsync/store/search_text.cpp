#include "netsync/store/search_text.h"

#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utypes.h>

namespace kiosk {
namespace {

// Far above any name, email or order code; keeps ICU's int32_t lengths safe.
constexpr size_t max_text_bytes = size_t{1} << 28;

void check(UErrorCode status, const char* step) {
    if (U_SUCCESS(status)) return;
    if (status == U_MEMORY_ALLOCATION_ERROR) throw std::bad_alloc();
    throw std::runtime_error(std::string("search text: ") + step + ": " + u_errorName(status));
}

bool is_ascii(std::string_view text) {
    for (char c : text)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

// Ill-formed sequences become U+FFFD (ICU's fromUTF8 substitutes per maximal subpart).
icu::UnicodeString decode(std::string_view utf8) {
    if (utf8.size() > max_text_bytes) throw std::length_error("search text: longer than 256 MiB");
    return icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
}

// Marks after a letter of these scripts are accents (or, in Arabic and Hebrew, vowel points), not
// letters; USCRIPT_COMMON also stands for "no letter before the mark".
bool marks_are_accents(UScriptCode script) {
    switch (script) {
    case USCRIPT_LATIN:
    case USCRIPT_GREEK:
    case USCRIPT_CYRILLIC:
    case USCRIPT_ARABIC:
    case USCRIPT_HEBREW:
    case USCRIPT_COMMON:
    case USCRIPT_INHERITED:
    case USCRIPT_UNKNOWN:
        return true;
    default:
        return false;
    }
}

// Step 4 of search_key, on case-folded letters (so lower case only).
const char16_t* plain_latin(UChar32 c) {
    switch (c) {
    case 0x0142: return u"l";  // ł
    case 0x00F8: return u"o";  // ø
    case 0x0111: return u"d";  // đ (Đ folds to it; Icelandic ð stays)
    case 0x0127: return u"h";  // ħ
    case 0x0167: return u"t";  // ŧ
    case 0x0131: return u"i";  // dotless ı (Turkish "I" folds to "i" already)
    case 0x00E6: return u"ae"; // æ
    case 0x0153: return u"oe"; // œ
    default: return nullptr;
    }
}

constexpr UChar32 arabic_tatweel = 0x0640;

// Steps 3, 4 and 6 of search_key, in one pass over the case-folded text in NFD.
icu::UnicodeString strip_accents(const icu::UnicodeString& decomposed) {
    icu::UnicodeString out;
    UScriptCode base = USCRIPT_COMMON;
    for (int32_t i = 0; i < decomposed.length();) {
        const UChar32 c = decomposed.char32At(i);
        i += U16_LENGTH(c);
        const auto type = static_cast<UCharCategory>(u_charType(c));
        if (type == U_CONTROL_CHAR) {
            out.append(UChar32{' '});
            base = USCRIPT_COMMON;
            continue;
        }
        if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK) {
            if (!marks_are_accents(base)) out.append(c);
            continue;
        }
        if (type != U_COMBINING_SPACING_MARK) {
            UErrorCode status = U_ZERO_ERROR;
            base = uscript_getScript(c, &status);
            if (U_FAILURE(status)) base = USCRIPT_UNKNOWN;
        }
        if (c == arabic_tatweel) continue;
        if (const char16_t* plain = plain_latin(c)) {
            out.append(plain, -1);
            continue;
        }
        out.append(c);
    }
    return out;
}

struct Normalizers {
    const icu::Normalizer2* casefold; // NFKC_Casefold
    const icu::Normalizer2* nfd;
    const icu::Normalizer2* nfc;
};

// ICU's instances are immutable, created once and shared by all threads.
const Normalizers& normalizers() {
    static const Normalizers instances = [] {
        UErrorCode status = U_ZERO_ERROR;
        Normalizers n{};
        n.casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
        n.nfd = icu::Normalizer2::getNFDInstance(status);
        n.nfc = icu::Normalizer2::getNFCInstance(status);
        check(status, "normalizer");
        return n;
    }();
    return instances;
}

} // namespace

std::string search_key(std::string_view utf8) {
    if (is_ascii(utf8)) {
        // NFKC_Casefold changes nothing in ASCII but A-Z, and no ASCII character is a mark.
        std::string key(utf8);
        for (char& c : key) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            else if (c < 0x20 || c == 0x7F) c = ' ';
        }
        return key;
    }
    const Normalizers& n = normalizers();
    UErrorCode status = U_ZERO_ERROR;
    const icu::UnicodeString folded = n.casefold->normalize(decode(utf8), status);
    check(status, "NFKC_Casefold");
    const icu::UnicodeString decomposed = n.nfd->normalize(folded, status);
    check(status, "NFD");
    const icu::UnicodeString composed = n.nfc->normalize(strip_accents(decomposed), status);
    check(status, "NFC");
    std::string key;
    composed.toUTF8String(key);
    return key;
}

size_t character_count(std::string_view utf8) {
    if (is_ascii(utf8)) {
        // One cluster per character, except that "\r\n" is one.
        size_t count = utf8.size();
        for (size_t i = 0; i + 1 < utf8.size(); ++i)
            if (utf8[i] == '\r' && utf8[i + 1] == '\n') --count;
        return count;
    }
    // A break iterator keeps a pointer to its text: one iterator per thread, with the text it reads.
    struct Graphemes {
        icu::UnicodeString text;
        std::unique_ptr<icu::BreakIterator> iterator;
    };
    thread_local Graphemes graphemes;
    if (!graphemes.iterator) {
        UErrorCode status = U_ZERO_ERROR;
        graphemes.iterator.reset(icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
        check(status, "grapheme break iterator");
        if (!graphemes.iterator) throw std::bad_alloc();
    }
    graphemes.text = decode(utf8);
    graphemes.iterator->setText(graphemes.text);
    size_t count = 0;
    graphemes.iterator->first();
    while (graphemes.iterator->next() != icu::BreakIterator::DONE) ++count;
    return count;
}

} // namespace kiosk
