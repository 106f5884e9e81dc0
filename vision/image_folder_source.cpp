// images:DIR: the stills in a folder, in file-name order, once or looped; a slideshow camera for
// tests, demos and replaying photos of problem tickets. A file that cannot be read is skipped
// (last_error names it): one bad photo must not stop the others.
#include <algorithm>
#include <filesystem>

#include "vision/frame_source_impl.h"
#include "vision/still_image.h"

namespace kiosk::sources {
namespace {

namespace fs = std::filesystem;

// The folder's stills sorted by name, or why the folder cannot be listed; listed again at every
// loop so files dropped in meanwhile are picked up.
std::expected<std::vector<fs::path>, std::string> list_stills(const fs::path& directory) {
    std::vector<fs::path> files;
    std::error_code code;
    for (fs::directory_iterator it(directory, code), end; !code && it != end; it.increment(code)) {
        std::error_code ignored;
        if (it->is_regular_file(ignored) && looks_like_still_image(it->path())) files.push_back(it->path());
    }
    if (code) return std::unexpected(directory.string() + ": " + code.message());
    std::sort(files.begin(), files.end());
    return files;
}

class ImageFolderSource final : public FrameSource {
public:
    ImageFolderSource(fs::path directory, std::vector<fs::path> files, const SourceOptions& options)
        : directory_(std::move(directory)), files_(std::move(files)), loop_(options.loop), realtime_(options.realtime),
          pacer_(options.fps), clock_(options.realtime, options.fps) {}

    std::optional<Frame> next() override {
        if (state_ != SourceState::running) return std::nullopt;
        if (realtime_ && !pacer_.frame_due()) return std::nullopt;
        // Bounded: one full pass over the files at most, so a folder of only bad files ends.
        for (size_t attempts = 0; attempts <= files_.size(); ++attempts) {
            if (position_ == files_.size() && !rewind()) return std::nullopt;
            const fs::path& path = files_[position_++];
            auto image = read_still_image(path);
            if (!image) {
                error_ = "skipped " + path.filename().string() + ": " + image.error();
                continue;
            }
            ++frames_this_pass_;
            const int64_t index = index_++;
            return Frame{std::move(*image), clock_.stamp(index), index};
        }
        return std::nullopt;
    }

    SourceState state() const override { return state_; }
    std::string last_error() const override { return error_; }
    std::string describe() const override {
        return "images:" + directory_.string() + " " + std::to_string(files_.size()) + " files" + (loop_ ? " loop" : "");
    }

private:
    // At the end of the list: start over (loop) or finish. False when there is nothing to play.
    bool rewind() {
        if (frames_this_pass_ == 0) {
            state_ = SourceState::failed;
            error_ = directory_.string() + ": no readable image (" + error_ + ")";
            return false;
        }
        if (!loop_) {
            state_ = SourceState::finished;
            return false;
        }
        auto files = list_stills(directory_);
        if (!files || files->empty()) {
            state_ = SourceState::failed;
            error_ = files ? directory_.string() + ": the folder has no images any more" : files.error();
            return false;
        }
        files_ = std::move(*files);
        position_ = 0;
        frames_this_pass_ = 0;
        return true;
    }

    fs::path directory_;
    std::vector<fs::path> files_;
    bool loop_, realtime_;
    Pacer pacer_;
    FrameClock clock_;
    SourceState state_ = SourceState::running;
    std::string error_;
    size_t position_ = 0;
    int64_t index_ = 0;
    int64_t frames_this_pass_ = 0;
};

} // namespace

OpenResult open_image_folder(const std::string& directory, const SourceOptions& options) {
    std::error_code ignored;
    if (!fs::exists(directory, ignored)) return std::unexpected(directory + ": no such folder");
    if (!fs::is_directory(directory, ignored))
        return std::unexpected(directory + " is not a folder (use file:" + directory + " for a video)");
    auto files = list_stills(directory);
    if (!files) return std::unexpected(files.error());
    if (files->empty()) return std::unexpected(directory + ": no images (png, jpg, jpeg, bmp, ...) in this folder");
    return std::make_unique<ImageFolderSource>(directory, std::move(*files), options);
}

} // namespace kiosk::sources
