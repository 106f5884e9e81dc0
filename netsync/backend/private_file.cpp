#include "netsync/backend/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <random>
#include <system_error>
#include <utility>

namespace kiosk::backend {

namespace {

constexpr std::size_t kMaxFileBytes = 1u << 20;   // credentials are a few hundred bytes
constexpr int kTempNameAttempts = 100;

class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() { reset(); }

    int get() const { return fd_; }
    // close() reports write errors some file systems (NFS) only detect then; 0 or an errno.
    int close() {
        const int rc = ::close(std::exchange(fd_, -1));
        return rc == 0 ? 0 : errno;
    }

private:
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    int fd_ = -1;
};

// Removes the temporary file unless the save got as far as renaming it into place.
class TempFileGuard {
public:
    explicit TempFileGuard(std::filesystem::path path) : path_(std::move(path)) {}
    TempFileGuard(const TempFileGuard&) = delete;
    TempFileGuard& operator=(const TempFileGuard&) = delete;
    ~TempFileGuard() {
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    void release() { path_.clear(); }

private:
    std::filesystem::path path_;
};

std::string failure(std::string_view doing, const std::filesystem::path& path, int error) {
    return "Cannot " + std::string(doing) + " " + path.string() + ": " + std::generic_category().message(error) + ".";
}

int write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return 0;
}

// A new file next to `path`, so that rename() stays within one file system. O_EXCL: never an
// existing file (or a symlink someone planted); 0600 from the first moment, before any byte.
std::expected<std::pair<FileDescriptor, std::filesystem::path>, int> create_temp(const std::filesystem::path& path) {
    std::random_device random;
    for (int attempt = 0; attempt < kTempNameAttempts; ++attempt) {
        std::filesystem::path temp = path;
        temp += ".tmp-" + std::to_string(random());
        const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) return std::pair{FileDescriptor(fd), std::move(temp)};
        if (errno != EEXIST) return std::unexpected(errno);
    }
    return std::unexpected(EEXIST);
}

// A rename is durable only once the folder that holds the name is on disk.
int sync_directory(const std::filesystem::path& directory) {
    FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return errno;
    return ::fsync(fd.get()) == 0 ? 0 : errno;
}

std::expected<std::string, std::string> read_small_file(const std::filesystem::path& path, int fd) {
    std::string text;
    std::array<char, 4096> buffer{};
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::unexpected(failure("read", path, errno));
        }
        if (n == 0) return text;
        text.append(buffer.data(), static_cast<size_t>(n));
        if (text.size() > kMaxFileBytes) return std::unexpected(path.string() + " is too large for this kiosk to read.");
    }
}

} // namespace

std::expected<void, std::string> save_private_file(const std::filesystem::path& path, std::string_view text) {
    const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    auto created = create_temp(path);
    if (!created) return std::unexpected(failure("create a file in", directory, created.error()));
    auto& [fd, temp] = *created;
    TempFileGuard guard(temp);
    // open() applied the umask, which may have taken the owner's bits: set exactly 0600.
    if (::fchmod(fd.get(), 0600) != 0) return std::unexpected(failure("set the permissions of", temp, errno));
    if (const int error = write_all(fd.get(), text); error != 0) return std::unexpected(failure("write", temp, error));
    if (::fsync(fd.get()) != 0) return std::unexpected(failure("write", temp, errno));
    if (const int error = fd.close(); error != 0) return std::unexpected(failure("write", temp, error));
    if (::rename(temp.c_str(), path.c_str()) != 0) return std::unexpected(failure("replace", path, errno));
    guard.release();
    if (const int error = sync_directory(directory); error != 0) return std::unexpected(failure("save", path, error));
    return {};
}

std::expected<std::optional<std::string>, std::string> load_private_file(const std::filesystem::path& path) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::optional<std::string>();
        return std::unexpected(failure("read", path, errno));
    }
    auto text = read_small_file(path, fd.get());
    if (!text) return std::unexpected(text.error());
    return std::optional<std::string>(std::move(*text));
}

} // namespace kiosk::backend
