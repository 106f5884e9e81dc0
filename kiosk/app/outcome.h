// How the app layer reports what happened.
//
// Ordinary outcomes are values, never exceptions: a rejected ticket is a Verdict, nothing to undo
// is an UndoOutcome that says so, and a request that cannot be served as asked (an unknown list,
// two lists of one event, a malformed dump) is the error side of `std::expected<T, std::string>`,
// one sentence for a person. Every module follows the same rule with `std::expected<T, E>`, E a
// sentence unless a caller must branch on the kind. Exceptions are for failures of the machine
// only (disk, corrupt store, out of memory: StoreError and the standard library's), caught at the
// boundary of a thread or of main().
#pragma once

#include <expected>
#include <string>

namespace kiosk {

template <class T> using Outcome = std::expected<T, std::string>;

} // namespace kiosk
