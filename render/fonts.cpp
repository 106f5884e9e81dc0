#include "render/fonts.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <utility>

#include <imgui_freetype.h>

#include "image/utf8.h"

namespace kiosk::render {

namespace {

// A font file mapped read-only. ImGui reads the tables it needs straight from the mapping (see
// rebuild), so a rebuild costs no file reads and the 19 MB CJK collection costs only the pages its
// glyphs touch.
class MappedFile {
public:
    static std::expected<MappedFile, std::string> open(const std::filesystem::path& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return std::unexpected("font file " + path.string() + " cannot be opened: " + std::strerror(errno));
        struct stat info {};
        if (::fstat(fd, &info) != 0 || info.st_size <= 0) {
            ::close(fd);
            return std::unexpected("font file " + path.string() + " is empty or unreadable");
        }
        void* data = ::mmap(nullptr, static_cast<size_t>(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        ::close(fd);
        if (data == MAP_FAILED) return std::unexpected("font file " + path.string() + " cannot be mapped: " + std::strerror(errno));
        MappedFile file;
        file.data_ = data;
        file.size_ = static_cast<size_t>(info.st_size);
        return file;
    }
    MappedFile() = default;
    MappedFile(MappedFile&& other) noexcept : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
    MappedFile& operator=(MappedFile&& other) noexcept {
        if (this != &other) {
            reset();
            data_ = std::exchange(other.data_, nullptr);
            size_ = std::exchange(other.size_, 0);
        }
        return *this;
    }
    ~MappedFile() { reset(); }
    // ImGui's API takes void*; it only reads font data (PROT_READ enforces it).
    void* data() const { return data_; }
    int size() const { return static_cast<int>(size_); }

private:
    void reset() {
        if (data_ != nullptr) ::munmap(data_, size_);
        data_ = nullptr;
    }
    void* data_ = nullptr;
    size_t size_ = 0;
};

constexpr std::array<float, 4> kDefaultPx{30, 40, 64, 96};   // by FontRole at a 1080 px short side

// Always in the atlas: Basic Latin, Latin-1, Latin Extended-A, General Punctuation (dashes,
// quotes, ellipsis), the euro sign, simple arrows and check / cross marks.
constexpr ImWchar kAlwaysRanges[] = {
    0x0020, 0x017F, 0x2010, 0x205E, 0x20AC, 0x20AC, 0x2190, 0x2199, 0x2713, 0x2718, 0,
};

bool in_always_set(char32_t cp) {
    for (size_t i = 0; kAlwaysRanges[i] != 0; i += 2)
        if (cp >= kAlwaysRanges[i] && cp <= kAlwaysRanges[i + 1]) return true;
    return false;
}

// ImGui 1.86 in Debian is built with 16-bit ImWchar: code points above the BMP cannot be in the
// atlas (text.cpp draws them through pango); controls never need a glyph.
bool atlas_can_hold(char32_t cp) { return cp >= 0x20 && cp <= 0xFFFF && !(cp >= 0xD800 && cp <= 0xDFFF); }

} // namespace

struct Fonts::Impl {
    MappedFile regular, bold, symbols, cjk_regular, cjk_bold;
    int cjk_face = 2;
    std::set<char32_t> extra;               // added code points beyond the always-set
    float scale = 1.0f;
    float short_side = 1080.0f;
    bool pending = true;
    std::array<ImFont*, 4> fonts{};
};

Fonts::Fonts() : impl_(std::make_unique<Impl>()) {}
Fonts::~Fonts() = default;

std::expected<std::unique_ptr<Fonts>, std::string> Fonts::load(const FontFiles& files) {
    std::unique_ptr<Fonts> fonts(new Fonts());
    Impl& impl = *fonts->impl_;
    const std::pair<MappedFile*, const std::filesystem::path*> wanted[] = {
        {&impl.regular, &files.regular}, {&impl.bold, &files.bold}, {&impl.symbols, &files.symbols},
        {&impl.cjk_regular, &files.cjk_regular}, {&impl.cjk_bold, &files.cjk_bold},
    };
    for (const auto& [slot, path] : wanted) {
        auto mapped = MappedFile::open(*path);
        if (!mapped) return std::unexpected(mapped.error());
        *slot = std::move(*mapped);
    }
    impl.cjk_face = files.cjk_face;
    return fonts;
}

void Fonts::set_scale(float scale) {
    if (!(scale > 0.25f && scale < 4.0f)) return;   // nonsense (or NaN) would make an unusable atlas
    if (scale == impl_->scale) return;
    impl_->scale = scale;
    impl_->pending = true;
}

float Fonts::scale() const { return impl_->scale; }

float Fonts::px(FontRole role) const {
    // Whole pixels: the atlas is baked at this size and ImGui then draws glyphs 1:1.
    const float size = kDefaultPx[static_cast<size_t>(role)] * impl_->short_side / 1080.0f * impl_->scale;
    return std::max(8.0f, std::round(size));
}

ImFont* Fonts::get(FontRole role) const { return impl_->fonts[static_cast<size_t>(role)]; }

void Fonts::add_glyphs(std::string_view utf8) {
    for (size_t at = 0; at < utf8.size();) {
        const auto decoded = utf8::detail::decode_at(utf8, at);
        if (!decoded) {
            ++at;                           // not UTF-8: skip the byte, keep the rest
            continue;
        }
        at += decoded->length;
        const char32_t cp = decoded->code_point;
        if (!atlas_can_hold(cp) || in_always_set(cp)) continue;
        if (impl_->extra.insert(cp).second) impl_->pending = true;
    }
}

void Fonts::add_glyphs(std::span<const std::string> strings) {
    for (const auto& text : strings) add_glyphs(text);
}

bool Fonts::rebuild_pending() const { return impl_->pending; }

bool Fonts::has_glyph(char32_t cp) const { return in_always_set(cp) || impl_->extra.contains(cp); }

void Fonts::set_short_side(float pixels) {
    if (!(pixels >= 1.0f) || pixels == impl_->short_side) return;
    impl_->short_side = pixels;
    impl_->pending = true;
}

std::expected<void, std::string> Fonts::rebuild(ImFontAtlas& atlas) {
    Impl& impl = *impl_;
    impl.pending = false;
    impl.fonts = {};
    atlas.Clear();
    // FreeType (built into Debian's libimgui), not ImGui's default stb_truetype: it is the
    // rasterizer pango uses for shaped text, so both paths draw the same shapes with the same
    // light hinting. Speed is alike (500 CJK glyphs x 4 roles: ~90 ms either way, measured).
    atlas.FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();

    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(kAlwaysRanges);
    for (const char32_t cp : impl.extra) builder.AddChar(static_cast<ImWchar>(cp));
    // The atlas keeps a pointer to the ranges until Build(); they live in this frame.
    ImVector<ImWchar> ranges;
    builder.BuildRanges(&ranges);

    // ImGui copies font data it does not own at every AddFont: 4 roles x the 19 MB CJK collection
    // made each rebuild spend ~250 ms in memcpy and page faults. So the atlas is told it owns the
    // mapping (no copy) and, right after, that it does not (it must never free it); the flag is
    // read only when a font is added and when the atlas is cleared.
    auto add = [&atlas](const MappedFile& file, float size, ImFontConfig config, const ImWchar* glyphs) {
        config.FontDataOwnedByAtlas = true;
        ImFont* font = atlas.AddFontFromMemoryTTF(file.data(), file.size(), size, &config, glyphs);
        if (!atlas.ConfigData.empty()) atlas.ConfigData.back().FontDataOwnedByAtlas = false;
        return font;
    };
    for (const FontRole role : kFontRoles) {
        const bool heavy = role == FontRole::large || role == FontRole::huge;
        const float size = px(role);
        ImFontConfig config;
        // Baked at the drawn size and drawn at whole pixels: oversampling would only triple the
        // atlas (it helps sub-pixel positioning of small text, which 30 px and up do not need).
        config.OversampleH = 1;
        config.OversampleV = 1;
        config.PixelSnapH = true;
        config.FontBuilderFlags = ImGuiFreeTypeBuilderFlags_LightHinting;
        ImFont* font = add(heavy ? impl.bold : impl.regular, size, config, ranges.Data);
        if (font == nullptr) return std::unexpected("the Noto Sans font data was rejected by ImGui");
        // Merged fonts fill only the code points the ones before them lack (ImGui never
        // overwrites a glyph), so Latin stays Noto Sans and CJK comes from the collection.
        config.MergeMode = true;
        add(impl.symbols, size, config, ranges.Data);
        config.FontNo = impl.cjk_face;
        add(heavy ? impl.cjk_bold : impl.cjk_regular, size, config, ranges.Data);
        impl.fonts[static_cast<size_t>(role)] = font;
    }
    if (!atlas.Build()) {
        impl.fonts = {};
        atlas.Clear();
        return std::unexpected("the font atlas could not be built (" + std::to_string(impl.extra.size()) + " extra glyphs)");
    }
    return {};
}

} // namespace kiosk::render
