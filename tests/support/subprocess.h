// Running a child process from a test: argv in, stdout / stderr / exit status out.
//
// run_process() runs to completion. start_process() returns while the child runs, so a test can
// signal it by pid (e.g. SIGKILL at a random moment) and then collect it with finish().
//
// Thread rule: any thread may start and finish its own children. Every pipe is created
// close-on-exec, so a child started from another thread never inherits (and never holds open)
// the pipes of this one; a reader sees end-of-file as soon as its own child is gone.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

extern char** environ;

namespace kiosk::testing {

struct ProcessResult {
    int status = 0;                       // raw waitpid() status
    std::string out;                      // everything the child wrote to stdout
    std::string err;                      // everything the child wrote to stderr

    bool exited() const { return WIFEXITED(status); }
    int exit_code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
    bool signaled() const { return WIFSIGNALED(status); }
    int term_signal() const { return WIFSIGNALED(status) ? WTERMSIG(status) : 0; }
};

namespace detail {

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

inline std::pair<Fd, Fd> make_pipe() {   // {read end, write end}, both close-on-exec
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    return {Fd(fds[0]), Fd(fds[1])};
}

} // namespace detail

// A started child. finish() feeds its stdin, drains stdout and stderr and reaps it; call it
// exactly once (the destructor reaps a child nobody finished, after killing it).
class RunningProcess {
public:
    RunningProcess(pid_t pid, detail::Fd in, detail::Fd out, detail::Fd err, std::string input)
        : pid_(pid), in_(std::move(in)), out_(std::move(out)), err_(std::move(err)), input_(std::move(input)) {}
    RunningProcess(RunningProcess&& other) noexcept
        : pid_(std::exchange(other.pid_, -1)), in_(std::move(other.in_)), out_(std::move(other.out_)),
          err_(std::move(other.err_)), input_(std::move(other.input_)) {}
    RunningProcess& operator=(RunningProcess&&) = delete;
    RunningProcess(const RunningProcess&) = delete;
    RunningProcess& operator=(const RunningProcess&) = delete;
    ~RunningProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
        }
    }

    // Valid until finish() returns: the child is not reaped before, so the pid cannot be reused.
    pid_t pid() const { return pid_; }

    ProcessResult finish() {
        ProcessResult result;
        size_t written = 0;
        if (in_.get() >= 0 && input_.empty()) in_.reset();
        while (in_.get() >= 0 || out_.get() >= 0 || err_.get() >= 0) {
            std::array<pollfd, 3> fds{{{in_.get(), POLLOUT, 0}, {out_.get(), POLLIN, 0}, {err_.get(), POLLIN, 0}}};
            if (::poll(fds.data(), fds.size(), -1) < 0) {
                if (errno == EINTR) continue;
                throw std::system_error(errno, std::generic_category(), "poll");
            }
            if (fds[0].revents != 0) {
                const ssize_t n = ::write(in_.get(), input_.data() + written, input_.size() - written);
                if (n > 0) written += static_cast<size_t>(n);
                if ((n < 0 && errno != EINTR && errno != EAGAIN) || written == input_.size()) in_.reset();
            }
            drain(fds[1], out_, result.out);
            drain(fds[2], err_, result.err);
        }
        while (::waitpid(pid_, &result.status, 0) < 0) {
            if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
        }
        pid_ = -1;
        return result;
    }

private:
    static void drain(const pollfd& polled, detail::Fd& fd, std::string& sink) {
        if (polled.fd < 0 || polled.revents == 0) return;
        std::array<char, 65536> buffer{};
        const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n > 0) sink.append(buffer.data(), static_cast<size_t>(n));
        else if (n == 0 || (errno != EINTR && errno != EAGAIN)) fd.reset();
    }

    pid_t pid_;
    detail::Fd in_, out_, err_;
    std::string input_;
};

// Starts argv (argv[0] is searched in PATH unless it contains a slash). Without `input` the
// child's stdin is /dev/null. Throws std::system_error if the program cannot be started.
inline RunningProcess start_process(const std::vector<std::string>& argv, std::optional<std::string> input = {}) {
    if (argv.empty()) throw std::system_error(EINVAL, std::generic_category(), "start_process: empty argv");
    // A child that exits without reading all of its stdin must fail our write, not kill the test.
    if (input) ::signal(SIGPIPE, SIG_IGN);

    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);

    auto [out_read, out_write] = detail::make_pipe();
    auto [err_read, err_write] = detail::make_pipe();
    detail::Fd in_read, in_write;
    if (input) {
        std::tie(in_read, in_write) = detail::make_pipe();
        // finish() polls; a blocking write of a large input could wait for a child that waits for us.
        ::fcntl(in_write.get(), F_SETFL, ::fcntl(in_write.get(), F_GETFL) | O_NONBLOCK);
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (input) posix_spawn_file_actions_adddup2(&actions, in_read.get(), STDIN_FILENO);
    else posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_write.get(), STDERR_FILENO);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::system_error(rc, std::generic_category(), "posix_spawnp " + argv[0]);
    // Only the child keeps the write ends of its output pipes (and the read end of its input).
    return RunningProcess(pid, std::move(in_write), std::move(out_read), std::move(err_read),
                          input ? std::move(*input) : std::string());
}

// Runs argv to completion.
inline ProcessResult run_process(const std::vector<std::string>& argv, std::optional<std::string> input = {}) {
    return start_process(argv, std::move(input)).finish();
}

} // namespace kiosk::testing
