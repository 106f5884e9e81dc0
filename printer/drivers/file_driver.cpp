#include "printer/drivers/file_driver.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <random>

#include "printer/badge_render.h"

namespace kiosk::printer {
namespace {

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int release_and_close() {
        const int rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }

private:
    int fd_;
};

PrinterStatus trouble(std::string message) { return {PrinterState::error, std::move(message), {}}; }

std::string utc_stamp() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y%m%dT%H%M%S", &utc);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::array<char, 8> fraction{};
    std::snprintf(fraction.data(), fraction.size(), "%03lld", static_cast<long long>(millis));
    return std::string(text.data()) + fraction.data() + "Z";
}

} // namespace

std::expected<std::unique_ptr<FileDriver>, std::string> FileDriver::open(const PrinterUri& uri) {
    static constexpr std::array<std::string_view, 2> known{"format", "dpi"};
    if (auto checked = check_known_options(uri, known); !checked) return std::unexpected(checked.error());
    const std::string format = option(uri, "format").value_or("pdf");
    if (format != "pdf" && format != "png") return std::unexpected("Printer URI '" + uri.text + "': format must be pdf or png, got '" + format + "'.");
    auto dpi = option_int(uri, "dpi", 300, 72, 1200);
    if (!dpi) return std::unexpected(dpi.error());
    return std::unique_ptr<FileDriver>(new FileDriver(uri, uri.path, format == "pdf" ? Format::pdf : Format::png, *dpi));
}

PrinterStatus FileDriver::status() {
    std::error_code error;
    if (!std::filesystem::exists(directory_, error)) return {PrinterState::ready, "Badges will be written to " + directory_.string() + " (created on the first badge).", {}};
    if (!std::filesystem::is_directory(directory_, error)) return trouble(directory_.string() + " is not a directory.");
    if (::access(directory_.c_str(), W_OK | X_OK) != 0) return trouble("Badges cannot be written to " + directory_.string() + ": " + std::strerror(errno) + ".");
    return {PrinterState::ready, "Badges are written to " + directory_.string() + ".", {}};
}

PrintOutcome FileDriver::print(const BadgeLayout& layout, const BadgeData& data) {
    auto bytes = format_ == Format::pdf ? render_pdf(layout, data) : render_png(layout, data, dpi_);
    if (!bytes) return std::unexpected(trouble("The badge could not be drawn: " + bytes.error()));
    return write_badge(*bytes);
}

PrintOutcome FileDriver::write_badge(std::string_view bytes) {
    std::error_code error;
    std::filesystem::create_directories(directory_, error);
    if (error) return std::unexpected(trouble("The badge folder " + directory_.string() + " cannot be created: " + error.message() + "."));

    std::random_device random;
    const std::filesystem::path temporary = directory_ / (".badge-" + std::to_string(random()) + std::to_string(::getpid()) + ".tmp");
    const auto cannot_write = [&](int code) {
        ::unlink(temporary.c_str());
        return std::unexpected(trouble("The badge cannot be written to " + directory_.string() + ": " + std::strerror(code) + "."));
    };
    {
        Fd file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
        if (file.get() < 0) return std::unexpected(trouble("The badge cannot be written to " + directory_.string() + ": " + std::strerror(errno) + "."));
        for (std::string_view rest = bytes; !rest.empty();) {
            const ssize_t written = ::write(file.get(), rest.data(), rest.size());
            if (written < 0 && errno == EINTR) continue;
            if (written <= 0) return cannot_write(written < 0 ? errno : EIO);
            rest.remove_prefix(static_cast<size_t>(written));
        }
        if (::fsync(file.get()) != 0) return cannot_write(errno);
        if (file.release_and_close() != 0) return cannot_write(errno);
    }
    const std::string stamp = utc_stamp();
    const char* extension = format_ == Format::pdf ? ".pdf" : ".png";
    for (int attempts = 0; attempts < 10000; ++attempts, ++next_) {
        const std::filesystem::path target = directory_ / ("badge-" + stamp + "-" + std::to_string(next_) + extension);
        // link() never replaces an existing file: a name taken by another writer is skipped.
        if (::link(temporary.c_str(), target.c_str()) == 0) {
            ::unlink(temporary.c_str());
            if (Fd dir(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); dir.get() >= 0) ::fsync(dir.get());
            ++next_;
            return Printed{1, target.string()};
        }
        if (errno != EEXIST) return cannot_write(errno);
    }
    return cannot_write(EEXIST);
}

} // namespace kiosk::printer
