#pragma once
// Shared by the fuzz targets (test/fuzz/*_fuzz.cc). Each target defines LLVMFuzzerTestOneInput;
// clang links it with libFuzzer (BRAID_FUZZ), gcc links it with replay_main.cc so that `make
// test` feeds it every committed corpus and regression input.

#include <cstdint>
#include <cstdio>
#include <string_view>

/// A property of a decoder that must hold for every input: on violation, print what and stop
/// the process with a trap, which libFuzzer reports as a crash and saves the input for.
#define BRAID_FUZZ_CHECK(cond)                                                       \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", __FILE__, __LINE__, \
                   #cond);                                                           \
      __builtin_trap();                                                              \
    }                                                                                \
  } while (0)

namespace braid::fuzz {

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace braid::fuzz
