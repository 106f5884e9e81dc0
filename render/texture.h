// One OpenGL texture for ImGui::Image: camera preview frames, badge previews, shaped text.
//
// Thread rule: UI thread, with the window's GL context current. Destroy textures before the window.
#pragma once

#include <imgui.h>

#include "image/image.h"

namespace kiosk::render {

// update() uploads an ImageView of any stride; an image of the size already held is written in
// place (glTexSubImage2D: no reallocation per camera frame), another size reallocates. gray8 shows
// as grey. update_alpha() takes a gray8 coverage mask and makes a white texture with that alpha,
// for drawing tinted with a colour (straight alpha, as ImGui's GL3 backend blends). Linear
// filtering, clamped edges. An empty view empties the texture.
class Texture {                              // one GL texture, RAII, move-only
public:
    Texture() = default;
    ~Texture();
    Texture(Texture&& other) noexcept;
    Texture& operator=(Texture&& other) noexcept;
    Texture(const Texture&) = delete;
    Texture& operator=(const Texture&) = delete;

    void update(const ImageView& image);     // gray8 / bgr24 / rgb24 / rgba32; same size -> glTexSubImage2D in place, else reallocates
    void update_alpha(const ImageView& coverage);  // gray8 -> white with that alpha
    ImTextureID id() const;
    int width() const { return width_; }
    int height() const { return height_; }
    bool empty() const { return name_ == 0; }
    size_t bytes() const;                    // texel memory held on the GPU (estimate)

private:
    void upload(const ImageView& image, bool as_alpha);
    void release();
    unsigned name_ = 0;                      // GLuint
    int width_ = 0, height_ = 0;
    int format_key_ = -1;                    // what the storage was allocated for
};

} // namespace kiosk::render
