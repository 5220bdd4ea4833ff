# Tests are found by their directory and name, never listed: a directory's
# CMakeLists.txt calls orch_script_tests() or orch_unit_tests() once, and a file
# dropped into the directory is a test at the next build (the globs are
# CONFIGURE_DEPENDS, and every test file is a configure dependency, so a new
# header line or test case is seen too). tests/README.md says how to add one.
#
# A test file may carry header lines `# ctest: KEY VALUE...` (`// ctest:` in C)
# for what its directory's defaults do not say:
#   NAME name       the test's name after the directory's prefix, in place of
#                   the file's name (for a tool whose file name is its own)
#   PREFIX prefix   in place of the directory's prefix
#   CASES a b ...   one test per case, named <name>.<case>, the case its last
#                   argument (scripts only; a C program lists its own cases)
#   ARGS a b ...    the script's arguments
#   UNLESS VAR      registered only when the CMake variable VAR is false
#   any other KEY   a ctest property (TIMEOUT 600, SKIP_RETURN_CODE 77,
#                   RUN_SERIAL TRUE, RESOURCE_LOCK x), set after the defaults
# VALUEs are expanded as CMake expands ${VAR} (string(CONFIGURE)) and may hold
# generator expressions: `# ctest: CASES ${ORCH_FIXTURE_ROOTS}` runs a script
# once per fixture root.

# Reads file's header lines into the caller's variables <out>_NAME,
# <out>_PREFIX, <out>_CASES, <out>_ARGS, <out>_UNLESS, and <out>_PROPERTIES:
# the other keys, each KEY's value (a list of its words) in <out>_PROPERTY_KEY.
function(orch_test_header file out)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  file(STRINGS ${file} lines REGEX "^(#|//) ctest: ")
  foreach(v NAME PREFIX CASES ARGS UNLESS PROPERTIES)
    set(h_${v})
  endforeach()
  set(h_has_prefix FALSE)
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^(#|//) ctest: +" "" line "${line}")
    string(REGEX REPLACE " +$" "" line "${line}")
    string(CONFIGURE "${line}" line)
    string(REGEX REPLACE "[ \t]+" ";" words "${line}")
    list(POP_FRONT words key)
    if(key MATCHES "^(NAME|PREFIX|CASES|ARGS|UNLESS)$")
      list(APPEND h_${key} ${words})
      if(key STREQUAL PREFIX)
        set(h_has_prefix TRUE)
      endif()
    elseif(key MATCHES "^[A-Z_]+$" AND words)
      list(APPEND h_PROPERTIES ${key})
      set(h_PROPERTY_${key} ${words})
    else()
      message(FATAL_ERROR "${file}: cannot read the header line 'ctest: ${line}'")
    endif()
  endforeach()
  foreach(v NAME PREFIX CASES ARGS UNLESS PROPERTIES)
    set(${out}_${v} ${h_${v}} PARENT_SCOPE)
  endforeach()
  foreach(key IN LISTS h_PROPERTIES)
    set(${out}_PROPERTY_${key} ${h_PROPERTY_${key}} PARENT_SCOPE)
  endforeach()
  set(${out}_HAS_PREFIX ${h_has_prefix} PARENT_SCOPE)
endfunction()

# Sets the properties of header h (read by orch_test_header) on test.
macro(orch_test_header_properties test h)
  foreach(key IN LISTS ${h}_PROPERTIES)
    set_tests_properties(${test} PROPERTIES ${key} "${${h}_PROPERTY_${key}}")
  endforeach()
endmacro()

# orch_script_tests(PREFIX prefix GLOB pattern... [EXCLUDE regex] [RUN command...]
#                   [ENVIRONMENT var=value...] [PROPERTIES key value...] [OUT var])
# Registers every file matching a GLOB pattern (but not EXCLUDE, matched on the
# file's name) as test <prefix><name>, run as `RUN file ARGS [case]`.
# ENVIRONMENT and PROPERTIES are the directory's defaults; OUT names a
# variable that receives the names of the tests registered.
function(orch_script_tests)
  cmake_parse_arguments(S "" "PREFIX;EXCLUDE;OUT" "GLOB;RUN;ENVIRONMENT;PROPERTIES" ${ARGN})
  list(TRANSFORM S_GLOB PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/)
  file(GLOB files LIST_DIRECTORIES false CONFIGURE_DEPENDS ${S_GLOB})
  set(registered)
  foreach(file IN LISTS files)
    get_filename_component(base ${file} NAME)
    if(S_EXCLUDE AND base MATCHES "${S_EXCLUDE}")
      continue()
    endif()
    orch_test_header(${file} h)
    if(h_UNLESS AND "${${h_UNLESS}}")
      continue()
    endif()
    get_filename_component(name ${file} NAME_WE)
    if(h_NAME)
      set(name ${h_NAME})
    endif()
    set(prefix ${S_PREFIX})
    if(h_HAS_PREFIX)
      set(prefix "${h_PREFIX}")
    endif()
    set(tests)
    if(h_CASES)
      foreach(case IN LISTS h_CASES)
        add_test(NAME ${prefix}${name}.${case} COMMAND ${S_RUN} ${file} ${h_ARGS} ${case})
        list(APPEND tests ${prefix}${name}.${case})
      endforeach()
    else()
      add_test(NAME ${prefix}${name} COMMAND ${S_RUN} ${file} ${h_ARGS})
      list(APPEND tests ${prefix}${name})
    endif()
    foreach(test IN LISTS tests)
      if(S_ENVIRONMENT)
        set_tests_properties(${test} PROPERTIES ENVIRONMENT "${S_ENVIRONMENT}")
      endif()
      if(S_PROPERTIES)
        set_tests_properties(${test} PROPERTIES ${S_PROPERTIES})
      endif()
      orch_test_header_properties(${test} h)
    endforeach()
    list(APPEND registered ${tests})
  endforeach()
  if(S_OUT)
    set(${S_OUT} ${registered} PARENT_SCOPE)
  endif()
endfunction()

# orch_unit_tests(PREFIX prefix LIBS library... [INCLUDE dir...] [PROPERTIES key value...])
# Builds every test_*.c of the directory into a program of that name, linked
# with LIBS (and harness.h on its include path), and registers each case of
# its table (`{ "name", fn }` lines after `struct test_case tests[] = {`)
# as test <prefix><program>.<case>, run as `program case`. A header line
# `// ctest: PREFIX inventory.` names them <prefix><case> instead.
function(orch_unit_tests)
  cmake_parse_arguments(U "" "PREFIX" "LIBS;INCLUDE;PROPERTIES" ${ARGN})
  file(GLOB sources LIST_DIRECTORIES false CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test_*.c)
  foreach(source IN LISTS sources)
    get_filename_component(prog ${source} NAME_WE)
    orch_test_header(${source} h)
    if(h_UNLESS AND "${${h_UNLESS}}")
      continue()
    endif()
    set(prefix ${U_PREFIX}${prog}.)
    if(h_HAS_PREFIX)
      set(prefix "${h_PREFIX}")
    endif()
    add_executable(${prog} ${source})
    target_include_directories(${prog} PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit ${U_INCLUDE})
    target_link_libraries(${prog} PRIVATE ${U_LIBS})

    file(READ ${source} text)
    string(FIND "${text}" "struct test_case tests[] = {" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${source}: no 'struct test_case tests[] = {' table")
    endif()
    string(SUBSTRING "${text}" ${at} -1 text)
    string(FIND "${text}" "{ NULL" end)
    string(SUBSTRING "${text}" 0 ${end} text)
    string(REGEX MATCHALL "{[ \t\r\n]*\"[A-Za-z0-9_]+\"" cases "${text}")
    if(NOT cases)
      message(FATAL_ERROR "${source}: no test case in its table")
    endif()
    foreach(case IN LISTS cases)
      string(REGEX REPLACE "^{[ \t\r\n]*\"|\"$" "" case "${case}")
      add_test(NAME ${prefix}${case} COMMAND ${prog} ${case})
      if(U_PROPERTIES)
        set_tests_properties(${prefix}${case} PROPERTIES ${U_PROPERTIES})
      endif()
      orch_test_header_properties(${prefix}${case} h)
    endforeach()
  endforeach()
endfunction()
