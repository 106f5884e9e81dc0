#include "render/texture.h"

#include <GL/gl.h>

#include <array>
#include <cstdint>
#include <utility>

namespace kiosk::render {

namespace {

struct Layout {
    GLint internal_format;
    GLenum format;
    std::array<GLint, 4> swizzle;           // how the shader sees r, g, b, a
};

// Core profile has no GL_LUMINANCE / GL_ALPHA: one-channel data is GL_R8 and the swizzle makes it
// grey (r, r, r, 1) or a white coverage mask (1, 1, 1, r).
Layout layout_for(PixelFormat format, bool as_alpha) {
    if (as_alpha) return {GL_R8, GL_RED, {GL_ONE, GL_ONE, GL_ONE, GL_RED}};
    switch (format) {
    case PixelFormat::gray8: return {GL_R8, GL_RED, {GL_RED, GL_RED, GL_RED, GL_ONE}};
    case PixelFormat::bgr24: return {GL_RGB8, GL_BGR, {GL_RED, GL_GREEN, GL_BLUE, GL_ONE}};
    case PixelFormat::rgb24: return {GL_RGB8, GL_RGB, {GL_RED, GL_GREEN, GL_BLUE, GL_ONE}};
    case PixelFormat::rgba32: return {GL_RGBA8, GL_RGBA, {GL_RED, GL_GREEN, GL_BLUE, GL_ALPHA}};
    }
    return {GL_R8, GL_RED, {GL_RED, GL_RED, GL_RED, GL_ONE}};
}

} // namespace

Texture::~Texture() { release(); }

Texture::Texture(Texture&& other) noexcept
    : name_(std::exchange(other.name_, 0)), width_(std::exchange(other.width_, 0)),
      height_(std::exchange(other.height_, 0)), format_key_(std::exchange(other.format_key_, -1)) {}

Texture& Texture::operator=(Texture&& other) noexcept {
    if (this != &other) {
        release();
        name_ = std::exchange(other.name_, 0);
        width_ = std::exchange(other.width_, 0);
        height_ = std::exchange(other.height_, 0);
        format_key_ = std::exchange(other.format_key_, -1);
    }
    return *this;
}

void Texture::release() {
    if (name_ != 0) {
        const GLuint name = name_;
        glDeleteTextures(1, &name);
    }
    name_ = 0;
    width_ = height_ = 0;
    format_key_ = -1;
}

void Texture::update(const ImageView& image) { upload(image, false); }

void Texture::update_alpha(const ImageView& coverage) {
    if (coverage.format != PixelFormat::gray8) return;   // a mask is one channel; anything else is a caller bug
    upload(coverage, true);
}

ImTextureID Texture::id() const {
    // ImGui's GL3 backend reads ImTextureID as the GL texture name.
    return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(name_));
}

size_t Texture::bytes() const {
    const int per_texel = format_key_ < 0 ? 0 : (format_key_ >= 4 || format_key_ == 0 ? 1 : format_key_ == 3 ? 4 : 3);
    return static_cast<size_t>(width_) * static_cast<size_t>(height_) * static_cast<size_t>(per_texel);
}

void Texture::upload(const ImageView& image, bool as_alpha) {
    if (image.empty()) {
        release();
        return;
    }
    const int bpp = bytes_per_pixel(image.format);
    if (image.stride < image.width * bpp || image.stride % bpp != 0) return;   // a view GL cannot walk row by row
    const Layout layout = layout_for(image.format, as_alpha);
    const int key = as_alpha ? 4 : static_cast<int>(image.format);

    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, image.stride / bpp);
    if (name_ != 0 && width_ == image.width && height_ == image.height && format_key_ == key) {
        glBindTexture(GL_TEXTURE_2D, name_);
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, image.width, image.height, layout.format, GL_UNSIGNED_BYTE, image.data);
    } else {
        if (name_ == 0) {
            GLuint name = 0;
            glGenTextures(1, &name);
            name_ = name;
        }
        glBindTexture(GL_TEXTURE_2D, name_);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, layout.swizzle.data());
        glTexImage2D(GL_TEXTURE_2D, 0, layout.internal_format, image.width, image.height, 0, layout.format,
                     GL_UNSIGNED_BYTE, image.data);
        width_ = image.width;
        height_ = image.height;
        format_key_ = key;
    }
    // ImGui's backend uploads its font atlas assuming the default row length.
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
}

} // namespace kiosk::render
