#include "image/png.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "image/opencv.h"

namespace kiosk {
namespace {

constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

std::string quoted(const std::string& path) { return "'" + path + "'"; }

// cv::Exception::what() spans several lines with file and function; the bare message fits ours.
std::string one_line(const cv::Exception& e) {
    std::string text = e.msg.empty() ? std::string(e.what()) : e.msg;
    for (char& c : text)
        if (c == '\n' || c == '\r') c = ' ';
    return text;
}

// The pixels of a PNG file's bytes (signature already checked) as one of our formats.
std::expected<Image, std::string> image_of_png(const std::vector<uint8_t>& bytes, const std::string& path) {
    cv::Mat mat = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
    if (mat.empty()) return std::unexpected(quoted(path) + " is a corrupt or truncated PNG");
    // 16-bit PNGs are legal; the kiosk works in 8 bits, so keep the high byte's worth.
    if (mat.depth() == CV_16U) mat.convertTo(mat, CV_8U, 1.0 / 257.0);
    if (mat.depth() != CV_8U) return std::unexpected(quoted(path) + ": unsupported PNG sample depth");
    switch (mat.channels()) {
    case 1:
    case 3:
        // view_of maps 1 channel to gray8 and 3 to bgr24, which is how OpenCV decodes them.
        if (const std::optional<ImageView> view = view_of(mat)) return Image::copy_of(*view);
        break;
    case 4: {
        Image image(mat.cols, mat.rows, PixelFormat::rgba32);
        cv::Mat target = mat_of(image.view());
        cv::cvtColor(mat, target, cv::COLOR_BGRA2RGBA);
        return image;
    }
    default: break;
    }
    return std::unexpected(quoted(path) + ": unsupported PNG channel count " + std::to_string(mat.channels()));
}

// OpenCV's encoder expects BGR(A); our rgb formats are swapped into a temporary, the others are
// viewed in place.
cv::Mat bgr_order(const ImageView& image) {
    const cv::Mat mat = mat_of(image);
    cv::Mat converted;
    if (image.format == PixelFormat::rgb24) cv::cvtColor(mat, converted, cv::COLOR_RGB2BGR);
    else if (image.format == PixelFormat::rgba32) cv::cvtColor(mat, converted, cv::COLOR_RGBA2BGRA);
    else return mat;
    return converted;
}

} // namespace

std::expected<Image, std::string> read_png(const std::string& path) {
    // The file is read here rather than by cv::imread, which reports every failure as the same
    // empty Mat and would decode any format it knows under a .png name.
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) return std::unexpected("cannot read " + quoted(path) + ": it is a directory");
    std::ifstream file(path, std::ios::binary);
    if (!file) return std::unexpected("cannot open " + quoted(path) + ": " + std::strerror(errno));
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (file.bad()) return std::unexpected("cannot read " + quoted(path) + ": " + std::strerror(errno));
    if (bytes.size() < sizeof kPngSignature || std::memcmp(bytes.data(), kPngSignature, sizeof kPngSignature) != 0)
        return std::unexpected(quoted(path) + " is not a PNG file");
    try {
        return image_of_png(bytes, path);
    } catch (const cv::Exception& e) {
        return std::unexpected("cannot decode " + quoted(path) + ": " + one_line(e));
    }
}

std::expected<void, std::string> write_png(const ImageView& image, const std::string& path) {
    if (image.empty()) return std::unexpected("cannot write " + quoted(path) + ": the image is empty");
    std::vector<uint8_t> encoded;
    try {
        // Encoding in memory, then writing ourselves: cv::imwrite picks the codec from the file name
        // and says nothing useful when the directory is missing or read-only.
        if (!cv::imencode(".png", bgr_order(image), encoded)) return std::unexpected("cannot encode " + quoted(path) + " as PNG");
    } catch (const cv::Exception& e) {
        return std::unexpected("cannot encode " + quoted(path) + ": " + one_line(e));
    }
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) return std::unexpected("cannot create " + quoted(path) + ": " + std::strerror(errno));
    file.write(reinterpret_cast<const char*>(encoded.data()), static_cast<std::streamsize>(encoded.size()));
    file.close();
    if (!file) return std::unexpected("cannot write " + quoted(path) + ": " + std::strerror(errno));
    return {};
}

} // namespace kiosk
