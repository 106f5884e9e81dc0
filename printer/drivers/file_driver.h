// A "printer" that writes each badge to a file: DIR/badge-<UTC time>-<n>.pdf (or .png), for the
// demo, for previews, and for stations that hand files to another system.
//
// A file appears whole or not at all: it is written under a hidden temporary name, flushed to
// disk, and linked to its final name, which is never an existing file's (n counts up instead).
// The directory is created when missing.
//
// URI: file:DIR[?format=pdf|png&dpi=300]     dpi: the PNG's resolution (72..1200, default 300)
//
// Thread rule: a driver belongs to the print thread that opened it; two drivers (or processes)
// writing to one directory never overwrite each other's files.
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "printer/drivers/printer_uri.h"
#include "printer/printer_driver.h"

namespace kiosk::printer {

class FileDriver final : public PrinterDriver {
public:
    enum class Format { pdf, png };

    static std::expected<std::unique_ptr<FileDriver>, std::string> open(const PrinterUri& uri);

    const std::string& uri() const override { return uri_.text; }
    PrintOutcome print(const BadgeLayout& layout, const BadgeData& data) override;
    PrinterStatus status() override;

    // Writes already rendered bytes as the next badge file; Printed::detail is the file's path.
    PrintOutcome write_badge(std::string_view bytes);
    Format format() const { return format_; }
    const std::filesystem::path& directory() const { return directory_; }

private:
    FileDriver(PrinterUri uri, std::filesystem::path directory, Format format, int dpi)
        : uri_(std::move(uri)), directory_(std::move(directory)), format_(format), dpi_(dpi) {}
    PrinterUri uri_;
    std::filesystem::path directory_;
    Format format_;
    int dpi_;
    int next_ = 1;
};

} // namespace kiosk::printer
