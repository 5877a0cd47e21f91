# One INTERFACE target carries warnings and sanitizers, so third-party code is not affected.
add_library(idem_warnings INTERFACE)
target_compile_options(idem_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
if(IDEM_WERROR)
  target_compile_options(idem_warnings INTERFACE -Werror)
endif()
if(IDEM_SANITIZE)
  # No recovery: a UBSan finding fails the test that triggered it instead of scrolling past.
  add_compile_options(-fsanitize=${IDEM_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${IDEM_SANITIZE})
endif()
