# One INTERFACE target carries warnings and sanitizers, so third-party code is not affected.
add_library(idem_warnings INTERFACE)
target_compile_options(idem_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
if(IDEM_WERROR)
  target_compile_options(idem_warnings INTERFACE -Werror)
endif()
if(IDEM_SANITIZE)
  add_compile_options(-fsanitize=${IDEM_SANITIZE} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${IDEM_SANITIZE})
endif()
