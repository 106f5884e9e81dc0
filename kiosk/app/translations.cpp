#include "kiosk/app/translations.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "image/utf8.h"

namespace kiosk {
namespace {

using PluralNode = Catalog::PluralNode;
using Op = PluralNode::Op;

// gettext joins a context and its msgid with EOT into one lookup key.
constexpr char kContextSeparator = '\x04';

// Garbage in a header must not turn into deep recursion when parsed or evaluated.
constexpr size_t kMaxPluralNodes = 256;
constexpr int kMaxPluralDepth = 64;
constexpr int kMaxPluralForms = 16;

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

std::string base_language(std::string_view normalized) {
    return std::string(normalized.substr(0, normalized.find('-')));
}

// A piece of the input fit to quote in a one-line message: whole UTF-8 characters only, and
// controls or bytes that are not UTF-8 shown as '?', so an error never carries garbage onward.
std::string excerpt(std::string_view text, size_t max_bytes) {
    std::string out;
    for (size_t at = 0; at < text.size();) {
        const auto decoded = utf8::detail::decode_at(text, at);
        const size_t length = decoded ? decoded->length : 1;
        if (out.size() + length > max_bytes) return out + "...";
        if (!decoded || decoded->code_point < 0x20 || decoded->code_point == 0x7F) out += '?';
        else out += text.substr(at, length);
        at += length;
    }
    return out;
}

// "de", "pt_BR", "zh-Hant", "sr@latin": what a PO file named after its language looks like.
bool looks_like_language_code(std::string_view text) {
    size_t letters = 0;
    while (letters < text.size() && std::isalpha(static_cast<unsigned char>(text[letters]))) ++letters;
    if (letters < 2 || letters > 3) return false;
    for (char c : text.substr(letters))
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '@') return false;
    return true;
}

// --- Plural-Forms expressions ---------------------------------------------------------------------
// The C subset gettext's own plural.y accepts, by the same precedence: ?: below ||, &&, equality,
// relational, additive, multiplicative, then ! and parentheses.

class PluralParser {
public:
    explicit PluralParser(std::string_view text) : text_(text) {}

    Outcome<std::vector<PluralNode>> parse() {
        const int root = ternary(0);
        skip_space();
        if (error_.empty() && pos_ != text_.size()) fail("unexpected \"" + excerpt(text_.substr(pos_), 10) + "\"");
        if (!error_.empty()) return std::unexpected(error_);
        // Evaluation starts at the last node; make sure that is the root.
        if (root != static_cast<int>(nodes_.size()) - 1) nodes_.push_back(nodes_[static_cast<size_t>(root)]);
        return std::move(nodes_);
    }

private:
    void fail(std::string what) {
        if (error_.empty()) error_ = std::move(what);
    }
    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n')) ++pos_;
    }
    bool take(std::string_view token) {
        skip_space();
        if (text_.substr(pos_).starts_with(token)) {
            pos_ += token.size();
            return true;
        }
        return false;
    }
    // `token`, but not when it is the start of a longer operator ("<" of "<=", "!" of "!=").
    bool take_alone(std::string_view token, char not_followed_by) {
        skip_space();
        if (!text_.substr(pos_).starts_with(token)) return false;
        if (pos_ + token.size() < text_.size() && text_[pos_ + token.size()] == not_followed_by) return false;
        pos_ += token.size();
        return true;
    }
    int add(Op op, int a = -1, int b = -1, int c = -1, uint64_t value = 0) {
        if (!error_.empty()) return 0;
        if (nodes_.size() >= kMaxPluralNodes) {
            fail("the expression is too long");
            return 0;
        }
        nodes_.push_back({op, value, a, b, c});
        return static_cast<int>(nodes_.size()) - 1;
    }
    bool too_deep(int depth) {
        if (depth <= kMaxPluralDepth) return false;
        fail("the expression is nested too deeply");
        return true;
    }

    int ternary(int depth) {
        if (too_deep(depth)) return 0;
        const int condition = logical_or(depth);
        if (!error_.empty() || !take("?")) return condition;
        const int yes = ternary(depth + 1);
        if (!take(":")) {
            fail("\"?\" without its \":\"");
            return 0;
        }
        const int no = ternary(depth + 1);
        return add(Op::ternary, condition, yes, no);
    }
    int logical_or(int depth) {
        int left = logical_and(depth);
        while (error_.empty() && take("||")) left = add(Op::logical_or, left, logical_and(depth));
        return left;
    }
    int logical_and(int depth) {
        int left = equality(depth);
        while (error_.empty() && take("&&")) left = add(Op::logical_and, left, equality(depth));
        return left;
    }
    int equality(int depth) {
        int left = relational(depth);
        while (error_.empty()) {
            if (take("==")) left = add(Op::equal, left, relational(depth));
            else if (take("!=")) left = add(Op::not_equal, left, relational(depth));
            else break;
        }
        return left;
    }
    int relational(int depth) {
        int left = additive(depth);
        while (error_.empty()) {
            if (take("<=")) left = add(Op::less_equal, left, additive(depth));
            else if (take(">=")) left = add(Op::greater_equal, left, additive(depth));
            else if (take_alone("<", '=')) left = add(Op::less, left, additive(depth));
            else if (take_alone(">", '=')) left = add(Op::greater, left, additive(depth));
            else break;
        }
        return left;
    }
    int additive(int depth) {
        int left = multiplicative(depth);
        while (error_.empty()) {
            if (take("+")) left = add(Op::add, left, multiplicative(depth));
            else if (take("-")) left = add(Op::subtract, left, multiplicative(depth));
            else break;
        }
        return left;
    }
    int multiplicative(int depth) {
        int left = unary(depth);
        while (error_.empty()) {
            if (take("*")) left = add(Op::multiply, left, unary(depth));
            else if (take("/")) left = add(Op::divide, left, unary(depth));
            else if (take("%")) left = add(Op::modulo, left, unary(depth));
            else break;
        }
        return left;
    }
    int unary(int depth) {
        if (too_deep(depth)) return 0;
        if (take_alone("!", '=')) return add(Op::logical_not, unary(depth + 1));
        return primary(depth);
    }
    int primary(int depth) {
        skip_space();
        if (!error_.empty()) return 0;
        if (take("(")) {
            const int inner = ternary(depth + 1);
            if (error_.empty() && !take(")")) fail("\"(\" without its \")\"");
            return inner;
        }
        if (pos_ < text_.size() && text_[pos_] == 'n') {
            ++pos_;
            return add(Op::n);
        }
        if (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
            uint64_t value = 0;
            while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
                if (value > 1'000'000'000) {
                    fail("a number in it is too large");
                    return 0;
                }
                value = value * 10 + static_cast<uint64_t>(text_[pos_++] - '0');
            }
            return add(Op::number, -1, -1, -1, value);
        }
        fail(pos_ < text_.size() ? "unexpected \"" + excerpt(text_.substr(pos_), 10) + "\""
                                 : std::string("it ends too early"));
        return 0;
    }

    std::string_view text_;
    size_t pos_ = 0;
    std::vector<PluralNode> nodes_;
    std::string error_;
};

// Unsigned as in gettext, which evaluates with `unsigned long n`; a zero divisor gives 0 rather
// than the SIGFPE a C plural function would raise.
uint64_t evaluate(const std::vector<PluralNode>& nodes, int index, uint64_t n) {
    const PluralNode& node = nodes[static_cast<size_t>(index)];
    const auto operand = [&](int which) { return evaluate(nodes, which, n); };
    switch (node.op) {
    case Op::n: return n;
    case Op::number: return node.value;
    case Op::ternary: return operand(node.a) != 0 ? operand(node.b) : operand(node.c);
    case Op::logical_or: return (operand(node.a) != 0 || operand(node.b) != 0) ? 1 : 0;
    case Op::logical_and: return (operand(node.a) != 0 && operand(node.b) != 0) ? 1 : 0;
    case Op::equal: return operand(node.a) == operand(node.b) ? 1 : 0;
    case Op::not_equal: return operand(node.a) != operand(node.b) ? 1 : 0;
    case Op::less: return operand(node.a) < operand(node.b) ? 1 : 0;
    case Op::greater: return operand(node.a) > operand(node.b) ? 1 : 0;
    case Op::less_equal: return operand(node.a) <= operand(node.b) ? 1 : 0;
    case Op::greater_equal: return operand(node.a) >= operand(node.b) ? 1 : 0;
    case Op::add: return operand(node.a) + operand(node.b);
    case Op::subtract: return operand(node.a) - operand(node.b);
    case Op::multiply: return operand(node.a) * operand(node.b);
    case Op::divide: {
        const uint64_t divisor = operand(node.b);
        return divisor == 0 ? 0 : operand(node.a) / divisor;
    }
    case Op::modulo: {
        const uint64_t divisor = operand(node.b);
        return divisor == 0 ? 0 : operand(node.a) % divisor;
    }
    case Op::logical_not: return operand(node.a) == 0 ? 1 : 0;
    }
    return 0;
}

// Counts are magnitudes: "-3 seats" reads like "3 seats" in every language.
uint64_t magnitude(int64_t n) {
    return n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
}

// --- PO files -------------------------------------------------------------------------------------

struct Header {
    std::string language;
    std::vector<PluralNode> plural;
    int nplurals = 2;
};

// "Key: value" lines of the header entry's msgstr.
std::optional<std::string> header_field(std::string_view header, std::string_view key) {
    size_t start = 0;
    while (start < header.size()) {
        const size_t end = std::min(header.find('\n', start), header.size());
        const std::string_view line = header.substr(start, end - start);
        const size_t colon = line.find(':');
        if (colon != std::string_view::npos && lower_ascii(trim(line.substr(0, colon))) == lower_ascii(key))
            return std::string(trim(line.substr(colon + 1)));
        start = end + 1;
    }
    return std::nullopt;
}

Outcome<Header> parse_header(std::string_view text) {
    Header header;
    if (const auto language = header_field(text, "Language")) header.language = *language;

    if (const auto content_type = header_field(text, "Content-Type")) {
        const std::string lowered = lower_ascii(*content_type);
        const size_t at = lowered.find("charset=");
        if (at != std::string::npos) {
            const std::string charset(trim(std::string_view(lowered).substr(at + 8, lowered.find(';', at) - at - 8)));
            // "CHARSET" is the template's placeholder, left by xgettext until a translator sets it.
            if (charset != "utf-8" && charset != "utf8" && charset != "charset")
                return std::unexpected("the header's charset is \"" + charset + "\"; save the file as UTF-8 and say charset=UTF-8");
        }
    }

    const auto plural_forms = header_field(text, "Plural-Forms");
    // xgettext's template says "nplurals=INTEGER; plural=EXPRESSION;" until a language fills it in.
    if (!plural_forms || plural_forms->find("INTEGER") != std::string::npos) return header;
    const std::string& forms = *plural_forms;
    const size_t nplurals_at = forms.find("nplurals=");
    const size_t plural_at = forms.find("plural=", nplurals_at == std::string::npos ? 0 : nplurals_at + 9);
    if (nplurals_at == std::string::npos || plural_at == std::string::npos)
        return std::unexpected("Plural-Forms must read \"nplurals=N; plural=EXPRESSION;\"");
    const std::string_view count_text = trim(std::string_view(forms).substr(nplurals_at + 9, forms.find(';', nplurals_at) - nplurals_at - 9));
    int count = 0;
    for (char c : count_text) {
        if (c < '0' || c > '9' || count > kMaxPluralForms) {
            count = -1;
            break;
        }
        count = count * 10 + (c - '0');
    }
    if (count_text.empty() || count < 1 || count > kMaxPluralForms)
        return std::unexpected("Plural-Forms: nplurals must be a whole number from 1 to " + std::to_string(kMaxPluralForms));
    std::string_view expression = std::string_view(forms).substr(plural_at + 7);
    expression = trim(expression.substr(0, expression.find(';')));
    auto nodes = PluralParser(expression).parse();
    if (!nodes) return std::unexpected("Plural-Forms: plural=" + excerpt(expression, 60) + ": " + nodes.error());
    // A formula that picks a form the file cannot have is the translator's slip; say so now rather
    // than show English for some counts on the day.
    for (uint64_t n = 0; n <= 1000; ++n) {
        const uint64_t form = evaluate(*nodes, static_cast<int>(nodes->size()) - 1, n);
        if (form >= static_cast<uint64_t>(count))
            return std::unexpected("Plural-Forms: plural= gives form " + std::to_string(form) + " for n = " + std::to_string(n) +
                                   " but nplurals is " + std::to_string(count));
    }
    header.nplurals = count;
    header.plural = std::move(*nodes);
    return header;
}

// A "..." token at `pos` of `line` with C escapes resolved; `pos` moves past the closing quote.
Outcome<std::string> parse_quoted(std::string_view line, size_t& pos) {
    if (pos >= line.size() || line[pos] != '"') return std::unexpected("expected a string in double quotes");
    std::string out;
    for (++pos; pos < line.size(); ++pos) {
        const char c = line[pos];
        if (c == '"') {
            ++pos;
            return out;
        }
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++pos >= line.size()) break;
        switch (const char e = line[pos]) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case '"': case '\\': case '\'': case '?': out += e; break;
        case 'x': {
            int value = 0, digits = 0;
            while (pos + 1 < line.size() && std::isxdigit(static_cast<unsigned char>(line[pos + 1])) && digits < 2) {
                const char h = line[++pos];
                value = value * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                ++digits;
            }
            if (digits == 0) return std::unexpected("\\x without hex digits");
            out += static_cast<char>(value);
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                int value = e - '0', digits = 1;
                while (pos + 1 < line.size() && line[pos + 1] >= '0' && line[pos + 1] <= '7' && digits < 3) {
                    value = value * 8 + (line[++pos] - '0');
                    ++digits;
                }
                if (value > 0xFF) return std::unexpected("octal escape above \\377");
                out += static_cast<char>(value);
                break;
            }
            return std::unexpected(std::string("unknown escape \\") + e);
        }
    }
    return std::unexpected("the string has no closing double quote");
}

class PoParser {
public:
    PoParser(std::string_view text, std::string_view file) : text_(text), file_(file) {}

    // Fills `entries` and `header`; false with error() set for the first problem.
    bool run() {
        // Some editors save UTF-8 with a byte order mark; it is not part of the first line.
        size_t start = text_.starts_with("\xEF\xBB\xBF") ? 3 : 0;
        while (start < text_.size() && error_.empty()) {
            const size_t end = std::min(text_.find('\n', start), text_.size());
            ++line_no_;
            line(text_.substr(start, end - start));
            start = end + 1;
        }
        if (error_.empty()) finish_entry();
        if (error_.empty() && pending_.has_id && !pending_.has_str) fail_at(pending_.id_line, "msgid without a msgstr");
        return error_.empty();
    }

    const std::string& error() const { return error_; }
    std::map<std::string, Catalog::Entry, std::less<>> entries;
    std::optional<std::string> header_text;
    int header_line = 0;

private:
    enum class Field { none, context, id, id_plural, str };
    struct Pending {
        Catalog::Entry entry;
        bool has_context = false, has_id = false, has_plural = false, has_str = false, fuzzy = false;
        int id_line = 0;
    };

    void fail_at(int line_number, std::string_view what) {
        if (error_.empty()) error_ = std::string(file_) + ":" + std::to_string(line_number) + ": " + std::string(what);
    }
    void fail(std::string_view what) { fail_at(line_no_, what); }

    void finish_entry() {
        if (!pending_.has_str) return;
        Pending done = std::move(pending_);
        pending_ = {};
        field_ = Field::none;
        for (const std::string* text : {&done.entry.msgid, &done.entry.msgid_plural, &done.entry.context})
            if (!utf8::is_valid(*text)) return fail_at(done.id_line, "this entry is not valid UTF-8");
        for (const std::string& text : done.entry.msgstr)
            if (!utf8::is_valid(text)) return fail_at(done.id_line, "this entry's msgstr is not valid UTF-8");
        if (!done.has_context && done.entry.msgid.empty()) {
            if (header_text) return fail_at(done.id_line, "a second header entry (msgid \"\")");
            header_text = done.entry.msgstr.front();
            header_line = done.id_line;
            return;
        }
        std::string key = done.has_context ? done.entry.context + kContextSeparator + done.entry.msgid : done.entry.msgid;
        if (const auto [it, fresh] = seen_.emplace(key, done.id_line); !fresh)
            return fail_at(done.id_line, "msgid \"" + excerpt(done.entry.msgid, 40) + "\" appears twice (first on line " +
                                             std::to_string(it->second) + ")");
        // Fuzzy entries are a machine's guess awaiting review; msgfmt leaves them out, so do we.
        if (done.fuzzy) return;
        entries.emplace(std::move(key), std::move(done.entry));
    }

    void line(std::string_view raw) {
        const std::string_view text = trim(raw);
        if (text.empty()) return;
        if (text.front() == '#') {
            // Obsolete entries (#~) are what msgmerge keeps of strings the code no longer has.
            if (text.starts_with("#~")) return;
            finish_entry();
            if (text.starts_with("#,")) {
                std::string_view flags = text.substr(2);
                while (!flags.empty()) {
                    const size_t comma = std::min(flags.find(','), flags.size());
                    if (trim(flags.substr(0, comma)) == "fuzzy") pending_.fuzzy = true;
                    flags.remove_prefix(std::min(comma + 1, flags.size()));
                }
            }
            return;
        }
        if (text.front() == '"') return continuation(text);

        size_t keyword_end = 0;
        while (keyword_end < text.size() && (std::isalpha(static_cast<unsigned char>(text[keyword_end])) || text[keyword_end] == '_'))
            ++keyword_end;
        const std::string_view keyword = text.substr(0, keyword_end);
        if (keyword != "msgctxt" && keyword != "msgid" && keyword != "msgid_plural" && keyword != "msgstr")
            return fail((keyword.empty() ? std::string("unexpected text") : "unknown keyword \"" + excerpt(keyword, 20) + "\"") +
                        "; expected msgctxt, msgid, msgid_plural, msgstr, a \"string\" or a # comment");
        size_t pos = keyword_end;
        int index = -1;
        if (keyword == "msgstr" && pos < text.size() && text[pos] == '[') {
            const size_t close = text.find(']', pos);
            if (close == std::string_view::npos) return fail("msgstr[ without its ]");
            index = 0;
            for (char c : text.substr(pos + 1, close - pos - 1)) {
                if (c < '0' || c > '9' || index > kMaxPluralForms) return fail("msgstr[N] needs a small whole number N");
                index = index * 10 + (c - '0');
            }
            if (close == pos + 1) return fail("msgstr[N] needs a small whole number N");
            pos = close + 1;
        }
        if (pos < text.size() && text[pos] != ' ' && text[pos] != '\t' && text[pos] != '"')
            return fail("unexpected \"" + excerpt(text.substr(pos, 1), 1) + "\" after " + std::string(keyword));
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
        auto value = parse_quoted(text, pos);
        if (!value) return fail(value.error());
        if (!trim(text.substr(pos)).empty()) return fail("unexpected text after the closing double quote");

        if (keyword == "msgctxt") {
            finish_entry();
            if (pending_.has_context || pending_.has_id) return fail("msgctxt must come before its msgid");
            pending_.has_context = true;
            pending_.entry.context = std::move(*value);
            field_ = Field::context;
        } else if (keyword == "msgid") {
            finish_entry();
            if (pending_.has_id) return fail("msgid follows a msgid that has no msgstr");
            pending_.has_id = true;
            pending_.id_line = line_no_;
            pending_.entry.line = line_no_;
            pending_.entry.msgid = std::move(*value);
            field_ = Field::id;
        } else if (keyword == "msgid_plural") {
            if (!pending_.has_id || pending_.has_plural || pending_.has_str) return fail("msgid_plural must follow a msgid");
            pending_.has_plural = true;
            pending_.entry.msgid_plural = std::move(*value);
            field_ = Field::id_plural;
        } else {
            if (!pending_.has_id) return fail("msgstr without a msgid before it");
            if (index < 0 && pending_.has_plural) return fail("an entry with msgid_plural needs msgstr[0], msgstr[1], ...");
            if (index >= 0 && !pending_.has_plural) return fail("msgstr[N] belongs to an entry with msgid_plural");
            if (index < 0 && pending_.has_str) return fail("a second msgstr for one msgid");
            if (index >= 0 && static_cast<size_t>(index) != pending_.entry.msgstr.size())
                return fail("msgstr[" + std::to_string(index) + "] out of order: expected msgstr[" +
                            std::to_string(pending_.entry.msgstr.size()) + "]");
            pending_.has_str = true;
            pending_.entry.msgstr.push_back(std::move(*value));
            field_ = Field::str;
        }
    }

    void continuation(std::string_view text) {
        size_t pos = 0;
        auto value = parse_quoted(text, pos);
        if (!value) return fail(value.error());
        if (!trim(text.substr(pos)).empty()) return fail("unexpected text after the closing double quote");
        switch (field_) {
        case Field::none: return fail("a string that belongs to no msgid or msgstr");
        case Field::context: pending_.entry.context += *value; break;
        case Field::id: pending_.entry.msgid += *value; break;
        case Field::id_plural: pending_.entry.msgid_plural += *value; break;
        case Field::str: pending_.entry.msgstr.back() += *value; break;
        }
    }

    std::string_view text_, file_;
    int line_no_ = 0;
    Pending pending_;
    Field field_ = Field::none;
    std::map<std::string, int, std::less<>> seen_;  // every key with its line, fuzzy ones too
    std::string error_;
};

// Names as the languages write themselves, for the language switch. Regional entries only where
// the region changes the name people look for.
constexpr std::pair<std::string_view, std::string_view> kNativeNames[] = {
    {"ar", "العربية"},   {"bg", "Български"},  {"ca", "Català"},   {"cs", "Čeština"},  {"da", "Dansk"},
    {"de", "Deutsch"},   {"el", "Ελληνικά"},   {"en", "English"},  {"es", "Español"},  {"et", "Eesti"},
    {"fa", "فارسی"},     {"fi", "Suomi"},      {"fr", "Français"}, {"he", "עברית"},    {"hi", "हिन्दी"},
    {"hr", "Hrvatski"},  {"hu", "Magyar"},     {"id", "Bahasa Indonesia"}, {"it", "Italiano"},
    {"ja", "日本語"},     {"ko", "한국어"},      {"lt", "Lietuvių"}, {"lv", "Latviešu"}, {"nb", "Norsk bokmål"},
    {"nl", "Nederlands"}, {"pl", "Polski"},    {"pt", "Português"}, {"pt-br", "Português (Brasil)"},
    {"ro", "Română"},    {"ru", "Русский"},    {"sk", "Slovenčina"}, {"sl", "Slovenščina"}, {"sr", "Српски"},
    {"sv", "Svenska"},   {"th", "ไทย"},        {"tr", "Türkçe"},   {"uk", "Українська"}, {"vi", "Tiếng Việt"},
    {"zh", "中文"},       {"zh-hans", "简体中文"}, {"zh-hant", "繁體中文"}, {"zh-tw", "繁體中文"}, {"zh-cn", "简体中文"},
};

std::optional<std::string_view> native_name_of(std::string_view code) {
    for (const auto& [known, name] : kNativeNames)
        if (known == code) return name;
    return std::nullopt;
}

} // namespace

// --- Catalog ----------------------------------------------------------------------------------------

Catalog::Catalog() : language_("en") {}

Outcome<Catalog> Catalog::parse_po(std::string_view po_text, std::string_view file_name_for_errors) {
    PoParser parser(po_text, file_name_for_errors);
    if (!parser.run()) return std::unexpected(parser.error());

    Catalog catalog;
    catalog.language_.clear();
    if (parser.header_text) {
        auto header = parse_header(*parser.header_text);
        if (!header)
            return std::unexpected(std::string(file_name_for_errors) + ":" + std::to_string(parser.header_line) + ": " + header.error());
        catalog.language_ = normalize_language_code(header->language);
        catalog.plural_ = std::move(header->plural);
        catalog.nplurals_ = header->nplurals;
    }
    const std::string stem = std::filesystem::path(std::string(file_name_for_errors)).stem().string();
    if (looks_like_language_code(stem)) catalog.language_ = normalize_language_code(stem);
    for (auto& [key, entry] : parser.entries) {
        const bool translated = std::any_of(entry.msgstr.begin(), entry.msgstr.end(), [](const std::string& text) { return !text.empty(); });
        catalog.translated_ += translated ? 1 : 0;
        if (!entry.msgid_plural.empty() && entry.msgstr.size() != static_cast<size_t>(catalog.nplurals_))
            return std::unexpected(std::string(file_name_for_errors) + ":" + std::to_string(entry.line) + ": msgid \"" + excerpt(entry.msgid, 40) + "\" has " +
                                   std::to_string(entry.msgstr.size()) + " plural forms, the header says nplurals=" +
                                   std::to_string(catalog.nplurals_));
    }
    catalog.entries_ = std::move(parser.entries);
    return catalog;
}

Outcome<Catalog> Catalog::load(const std::filesystem::path& po_file) {
    std::ifstream in(po_file, std::ios::binary);
    if (!in) return std::unexpected(po_file.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::unexpected(po_file.string() + ": cannot be read");
    return parse_po(text.str(), po_file.string());
}

std::string_view Catalog::translate(std::string_view msgid) const {
    const auto it = entries_.find(msgid);
    if (it == entries_.end() || it->second.msgstr.front().empty()) return msgid;
    return it->second.msgstr.front();
}

std::string_view Catalog::translate(std::string_view context, std::string_view msgid) const {
    std::string key;
    key.reserve(context.size() + 1 + msgid.size());
    key.append(context).append(1, kContextSeparator).append(msgid);
    const auto it = entries_.find(key);
    if (it == entries_.end() || it->second.msgstr.front().empty()) return msgid;
    return it->second.msgstr.front();
}

int Catalog::plural_index(int64_t n) const {
    if (plural_.empty()) return n == 1 || n == -1 ? 0 : 1;
    const uint64_t form = evaluate(plural_, static_cast<int>(plural_.size()) - 1, magnitude(n));
    // parse_header checked n up to 1000; larger n could still pick a form the file lacks.
    return form < static_cast<uint64_t>(nplurals_) ? static_cast<int>(form) : nplurals_ - 1;
}

int Catalog::plural_count() const { return nplurals_; }

std::string_view Catalog::plural(std::string_view msgid, std::string_view msgid_plural, int64_t n) const {
    const auto it = entries_.find(msgid);
    if (it != entries_.end() && !it->second.msgid_plural.empty()) {
        const auto form = static_cast<size_t>(plural_index(n));
        if (form < it->second.msgstr.size() && !it->second.msgstr[form].empty()) return it->second.msgstr[form];
    }
    return magnitude(n) == 1 ? msgid : msgid_plural;
}

std::string_view Catalog::language() const { return language_; }

size_t Catalog::size() const { return translated_; }

std::vector<std::string> Catalog::strings() const {
    std::vector<std::string> out;
    for (const auto& [key, entry] : entries_)
        for (const std::string& text : entry.msgstr)
            if (!text.empty()) out.push_back(text);
    return out;
}

std::vector<Catalog::Entry> Catalog::entries() const {
    std::vector<Entry> out;
    out.reserve(entries_.size());
    for (const auto& [key, entry] : entries_) out.push_back(entry);
    return out;
}

// --- Translations -------------------------------------------------------------------------------------

Outcome<Translations> Translations::load_folder(const std::filesystem::path& dir) {
    std::error_code error;
    if (!std::filesystem::is_directory(dir, error))
        return std::unexpected(dir.string() + ": no such folder of translations");
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end; it.increment(error))
        if (it->path().extension() == ".po" && it->is_regular_file(error)) files.push_back(it->path());
    if (error) return std::unexpected(dir.string() + ": cannot be listed (" + error.message() + ")");
    std::sort(files.begin(), files.end());

    Translations out;
    std::map<std::string, std::filesystem::path> sources;
    for (const auto& file : files) {
        auto catalog = Catalog::load(file);
        if (!catalog) return std::unexpected(catalog.error());
        const std::string code(catalog->language());
        if (code.empty())
            return std::unexpected(file.string() + ": cannot tell its language; name the file after it (de.po) or set the Language header");
        if (const auto [it, fresh] = sources.emplace(code, file); !fresh)
            return std::unexpected(file.string() + ": language \"" + code + "\" again (also " + it->second.filename().string() + ")");
        out.catalogs_.emplace(code, std::move(*catalog));
    }
    out.catalogs_.try_emplace("en");
    return out;
}

const Catalog& Translations::catalog(std::string_view language) const {
    const std::string code = normalize_language_code(language);
    if (const auto it = catalogs_.find(code); it != catalogs_.end()) return it->second;
    if (const auto it = catalogs_.find(base_language(code)); it != catalogs_.end()) return it->second;
    if (const auto it = catalogs_.find("en"); it != catalogs_.end()) return it->second;
    static const Catalog english;  // a default-constructed Translations has no catalogs at all
    return english;
}

std::vector<std::string> Translations::languages() const {
    std::vector<std::string> out{"en"};
    for (const auto& [code, catalog] : catalogs_)
        if (code != "en") out.push_back(code);
    return out;
}

std::string Translations::native_name(std::string_view language) {
    const std::string code = normalize_language_code(language);
    if (const auto name = native_name_of(code)) return std::string(*name);
    if (const auto name = native_name_of(base_language(code))) return std::string(*name);
    return std::string(language);
}

std::vector<std::string> Translations::all_strings() const {
    std::set<std::string> unique;
    for (const auto& [code, catalog] : catalogs_) {
        for (std::string& text : catalog.strings()) unique.insert(std::move(text));
        unique.insert(native_name(code));
    }
    return {unique.begin(), unique.end()};
}

// --- pretix i18n texts --------------------------------------------------------------------------------

std::string normalize_language_code(std::string_view language) {
    std::string out = lower_ascii(trim(language));
    std::replace(out.begin(), out.end(), '_', '-');
    return out;
}

std::string localized_text(const nlohmann::json& i18n, std::string_view language) {
    if (i18n.is_string()) return i18n.get<std::string>();
    if (!i18n.is_object()) return {};
    const auto non_empty = [](const nlohmann::json& value) {
        return value.is_string() && !value.get_ref<const std::string&>().empty();
    };
    const auto text_where = [&](const std::function<bool(const std::string&)>& matches) -> const std::string* {
        for (auto it = i18n.begin(); it != i18n.end(); ++it)
            if (non_empty(it.value()) && matches(normalize_language_code(it.key()))) return &it.value().get_ref<const std::string&>();
        return nullptr;
    };
    const std::string wanted = normalize_language_code(language);
    const std::string base = base_language(wanted);
    const std::string variant_prefix = base + "-";
    const std::string* found = nullptr;
    if (!wanted.empty()) {
        found = text_where([&](const std::string& code) { return code == wanted; });
        if (!found) found = text_where([&](const std::string& code) { return code == base; });
        if (!found) found = text_where([&](const std::string& code) { return code.starts_with(variant_prefix); });
    }
    if (!found) found = text_where([](const std::string& code) { return code == "en"; });
    if (!found) found = text_where([](const std::string& code) { return code.starts_with("en-"); });
    if (!found) found = text_where([](const std::string&) { return true; });
    return found ? *found : std::string();
}

} // namespace kiosk
