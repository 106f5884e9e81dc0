// Zero-copy bridges between our image types and cv::Mat. Only code that already uses OpenCV
// includes this header; the rest of the program sees ImageView.
#pragma once

#include <optional>

#include <opencv2/core/mat.hpp>

#include "image/image.h"

namespace kiosk {

// A view on the Mat's pixels (CV_8UC1 -> gray8, CV_8UC3 -> bgr24, CV_8UC4 -> rgba32 is NOT
// assumed: 4-channel Mats are BGRA in OpenCV and are refused). nullopt for other depths or
// channel counts. The Mat must outlive the view.
std::optional<ImageView> view_of(const cv::Mat& mat);

// A Mat header on the view's pixels, no copy. Read-only by contract: OpenCV cannot express const.
cv::Mat mat_of(const ImageView& view);

} // namespace kiosk
