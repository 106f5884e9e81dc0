// The touchscreen's words in the attendee's language: gettext PO catalogs, and pretix's i18n texts.
//
// [SECTION] Conventions
// [SECTION] Catalog
// [SECTION] Translations
// [SECTION] pretix i18n texts
//
// [SECTION] Conventions
//
// Screens write their attendee-facing text in English, marked `tr("...")`, `tr_ctx("ctx", "...")`
// or `tr_plural("one", "many", n)`; scripts/update-translations.sh extracts the marks into
// assets/i18n/kiosk.pot and merges them into assets/i18n/<lang>.po, where translators fill in the
// msgstr. The msgid is the English text itself, so English needs no catalog and a missing, empty
// or fuzzy translation shows the English words rather than nothing. printf placeholders (%s, %d)
// must survive translation in the same order; tests/kiosk/app/translations_test.cpp holds every
// shipped catalog to that.
//
// Language codes are compared in lower case with '-' ("pt_BR", "pt-BR" and "pt-br" are one code),
// as pretix writes them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kiosk/app/outcome.h"

namespace kiosk {

// [SECTION] Catalog
// One language's translations, immutable once loaded, so any thread may read it. What it accepts
// is GNU gettext's PO format: comments (#, #., #:, #,, #|), the `fuzzy` flag (such entries are
// left out, as msgfmt does), obsolete `#~` entries (left out), msgctxt, msgid_plural with
// msgstr[N], strings split over several "..." lines, C escapes, and the header entry (Language,
// Plural-Forms, Content-Type: the charset must be UTF-8). Text that is not such a file is refused
// with "<file>:<line>: <what is wrong>", never half loaded.
//
// The string_views returned point into the catalog, or are the caller's own argument when there is
// no translation: keep both alive while you use the result.

class Catalog {
public:
    Catalog();                                                          // English identity: translates nothing
    static Outcome<Catalog> parse_po(std::string_view po_text, std::string_view file_name_for_errors);
    static Outcome<Catalog> load(const std::filesystem::path& po_file); // reads the file, then parse_po

    std::string_view translate(std::string_view msgid) const;          // msgstr, or msgid when missing/empty/fuzzy
    std::string_view translate(std::string_view context, std::string_view msgid) const; // by msgctxt
    // The form for `n` by the catalog's Plural-Forms; English's rule (n == 1 ? msgid : msgid_plural)
    // when the entry is missing or that form is empty.
    std::string_view plural(std::string_view msgid, std::string_view msgid_plural, int64_t n) const;
    int plural_index(int64_t n) const;      // which msgstr[] form `n` takes in this language
    int plural_count() const;               // nplurals (2 for English)

    std::string_view language() const;      // the file name's code ("de" for de.po), else the Language header's, else ""
    size_t size() const;                    // translated entries, header left out
    std::vector<std::string> strings() const; // every non-empty msgstr (all forms)
    // Every entry but the header and fuzzy ones, translated or not (a template's are all empty),
    // for tools and tests that hold a catalog to its template.
    struct Entry {
        std::string msgid, msgid_plural, context;
        std::vector<std::string> msgstr;    // one per plural form; one for a singular entry
        int line = 0;                       // of its msgid in the file, for messages
    };
    std::vector<Entry> entries() const;

    // The parsed Plural-Forms expression, one node per operator; children are indices into the
    // vector, so a Catalog copies and moves as a plain value.
    struct PluralNode {
        enum class Op : uint8_t { n, number, ternary, logical_or, logical_and, equal, not_equal, less,
                                  greater, less_equal, greater_equal, add, subtract, multiply, divide,
                                  modulo, logical_not };
        Op op = Op::number;
        uint64_t value = 0;                 // Op::number
        int a = -1, b = -1, c = -1;         // operands
    };

private:
    std::string language_;
    std::map<std::string, Entry, std::less<>> entries_;
    std::vector<PluralNode> plural_;        // empty: English's rule
    size_t translated_ = 0;
    int nplurals_ = 2;
};

// [SECTION] Translations
// Every language found in a folder (assets/i18n): one <code>.po per language; kiosk.pot, the
// template, and other files are ignored. English is always there, from en.po when one exists,
// else as the identity. Immutable once loaded; any thread may read it.

class Translations {
public:
    Translations() = default;                           // English only, until load_folder gives more
    static Outcome<Translations> load_folder(const std::filesystem::path& dir); // a missing folder or any bad .po is an error

    // "de-AT" -> "de-at", then "de", then English: never fails.
    const Catalog& catalog(std::string_view language) const;
    std::vector<std::string> languages() const;         // codes available, "en" first, then by code
    // The language's name in itself, for the language switch: "Deutsch", "Français", "العربية"; a
    // regional code falls back to its base ("de-AT" -> "Deutsch"), an unknown one is the code itself.
    static std::string native_name(std::string_view language);
    // Every msgstr of every catalog plus the native names of the languages available: the text the
    // touchscreen may draw, which it feeds to its font glyph set.
    std::vector<std::string> all_strings() const;

private:
    std::map<std::string, Catalog, std::less<>> catalogs_;  // by code, "en" always present
};

// [SECTION] pretix i18n texts
// Names, questions and options come from pretix as {"en": "...", "de": "..."} or a plain string.
// The text in `language`, else its base ("de-informal", "de-AT" -> "de"), else another variant of
// that base ("de" -> "de-informal"), else "en", else the first non-empty value; "" for anything
// else (null, numbers). Keys are compared in lower case.
std::string localized_text(const nlohmann::json& i18n, std::string_view language);

// "pt_BR" / "pt-BR" -> "pt-br", as Translations and pretix compare codes.
std::string normalize_language_code(std::string_view language);

} // namespace kiosk
