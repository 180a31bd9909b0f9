// The one zone pipeline (Knot's src/knot/zone/): read -> check -> adjust ->
// (sign) -> compile. cidns-authd, cidns-admin and the tests all load zones
// through it, so they agree on what a zone is.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cidns/util/result.hpp"
#include "cidns/zone/checker.hpp"
#include "cidns/zone/compiled_zone.hpp"
#include "cidns/zone/contents.hpp"
#include "cidns/zone/diagnostic.hpp"
#include "cidns/zone/layout.hpp"
#include "cidns/zone/reader.hpp"

namespace cidns::zone {

// A step that rewrites a checked zone before it is compiled (the signer): it
// gets the sorted contents and their layout and may add, replace or remove
// records. An error fails the load with its message.
using transform = std::function<result<void>(contents&, const layout&)>;

// A step that edits the zone as read, before it is checked (cidns-authd replays its
// journal here). An error fails the load with its message.
using amendment = std::function<result<void>(contents&)>;

struct load_options {
  reader_options read;
  amendment amend;  // optional
  check_options check;
  transform sign;        // optional
  bool compile = false;  // build the compiled_zone (and free the contents)
  // The version in service, when this load replaces it: the new version keeps its nodes
  // where they are unchanged (compiled_zone::compile). The caller keeps it alive meanwhile.
  const compiled_zone* previous = nullptr;
};

struct loaded_zone {
  contents zone;  // sorted; empty after compile
  layout shape;   // the layout of `zone` (after signing, when a signer ran)
  std::shared_ptr<const compiled_zone> compiled;
  std::vector<diagnostic> diagnostics;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::vector<std::string> files;  // zone.files, kept after compile for messages

  bool ok() const noexcept { return errors == 0; }
  // Every diagnostic as "file:line:col: error: message".
  std::vector<std::string> messages() const;
};

// Reads `path` and runs the pipeline. Fails only when `path` cannot be read;
// zone errors come back as diagnostics (and stop the pipeline after the step
// that found them). A signer or compile failure is one zone-wide error.
result<loaded_zone> load(const std::string& path, const load_options& options = {});

// The pipeline from `amend` on, on contents already in memory (a zone in service with an
// update applied: zone::decompile + zone::apply_changesets).
loaded_zone load_contents(contents zone, const load_options& options = {});

// The same on zonefile text held in memory.
loaded_zone load_text(std::string_view text, std::string file_name,
                      const load_options& options = {});

}  // namespace cidns::zone
