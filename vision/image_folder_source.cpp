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

// The folder's stills sorted by name; listed again at every loop so files dropped in meanwhile
// are picked up.
std::vector<fs::path> list_stills(const fs::path& directory, std::string& error) {
    std::vector<fs::path> files;
    std::error_code code;
    for (fs::directory_iterator it(directory, code), end; !code && it != end; it.increment(code)) {
        std::error_code ignored;
        if (it->is_regular_file(ignored) && looks_like_still_image(it->path())) files.push_back(it->path());
    }
    if (code) error = directory.string() + ": " + code.message();
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
            StillRead read = read_still_image(path);
            if (!read.image) {
                error_ = "skipped " + path.filename().string() + ": " + read.error;
                continue;
            }
            ++frames_this_pass_;
            const int64_t index = index_++;
            return Frame{std::move(*read.image), clock_.stamp(index), index};
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
        std::string list_error;
        files_ = list_stills(directory_, list_error);
        position_ = 0;
        frames_this_pass_ = 0;
        if (files_.empty()) {
            state_ = SourceState::failed;
            error_ = list_error.empty() ? directory_.string() + ": the folder has no images any more" : list_error;
            return false;
        }
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
    if (!fs::exists(directory, ignored)) return directory + ": no such folder";
    if (!fs::is_directory(directory, ignored)) return directory + " is not a folder (use file:" + directory + " for a video)";
    std::string error;
    auto files = list_stills(directory, error);
    if (!error.empty()) return error;
    if (files.empty()) return directory + ": no images (png, jpg, jpeg, bmp) in this folder";
    return std::unique_ptr<FrameSource>(std::make_unique<ImageFolderSource>(directory, std::move(files), options));
}

} // namespace kiosk::sources
