# Writes a C++ file defining `const char <SYMBOL>[]` with the bytes of INPUT (a text asset of
# the status page), so the binary serves it without any file or network at run time.
# Usage: cmake -DINPUT=file -DOUTPUT=file.cc -DSYMBOL=name -P embed_asset.cmake
file(READ "${INPUT}" content)
string(FIND "${content}" ")braid_asset\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter; pick another")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/embed_asset.cmake.\n"
  "namespace braid::assets {\nextern const char ${SYMBOL}[];\n"
  "const char ${SYMBOL}[] = R\"braid_asset(${content})braid_asset\";\n}\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
