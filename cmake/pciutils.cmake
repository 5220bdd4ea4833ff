# Static libpci and static jansson for the fully static orch-agent.
#
# Debian ships libpci only as a shared library, and the agent must run on PVE 7,
# 8 and 9 alike, so it is linked with -static. libpci is therefore built here
# from Debian's own pciutils source package (same version and patches as the
# distribution's lspci), fetched through apt with the machine's own mirrors.
#
# Everything lives under ${CMAKE_BINARY_DIR}/_deps/pciutils and is fetched once
# per build tree: a later configure or build reuses it.
#
# Provides:
#   orch::libpci          IMPORTED STATIC; include as <pci/pci.h>
#   orch::jansson_static  IMPORTED STATIC; libjansson.a from libjansson-dev
#   ORCH_PCIUTILS_VERSION the Debian version of the source package used
#
# Cache variables:
#   ORCH_PCIUTILS_SOURCE  an already unpacked pciutils source tree to copy
#                         instead of fetching (for machines without a mirror)

set(ORCH_PCIUTILS_SOURCE "" CACHE PATH
  "Unpacked pciutils source tree to use instead of fetching Debian's source package")

set(_pu_root "${CMAKE_BINARY_DIR}/_deps/pciutils")
set(_pu_src "${_pu_root}/src")
set(_pu_stamp "${_pu_src}/.orch-unpacked")
set(_pu_inc "${_pu_root}/include")
set(_pu_lib "${_pu_src}/lib/libpci.a")

# Runs a command at configure time, three tries (a mirror may hiccup); stops
# the configure with its output when it keeps failing, since a half-fetched
# tree would only fail later and less clearly.
function(_orch_pciutils_run what)
  foreach(try 1 2 3)
    execute_process(COMMAND ${ARGN}
      WORKING_DIRECTORY "${_pu_wd}"
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(rc EQUAL 0)
      return()
    endif()
    message(STATUS "pciutils: ${what} failed (${rc}), try ${try} of 3")
    execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 5)
  endforeach()
  message(FATAL_ERROR "pciutils: ${what} failed (${rc}):\n${out}\n${err}")
endfunction()

# Writes deb-src copies of the system's apt sources into dir, as
# sources.list (one-line format) and sources.list.d/debian.sources (deb822).
function(_orch_pciutils_apt_sources dir)
  file(MAKE_DIRECTORY "${dir}/sources.list.d")
  set(found FALSE)
  set(list_out "")
  if(EXISTS /etc/apt/sources.list)
    file(STRINGS /etc/apt/sources.list lines)
    foreach(line IN LISTS lines)
      if(line MATCHES "^[ \t]*deb[ \t]+(.*)$")
        string(APPEND list_out "deb-src ${CMAKE_MATCH_1}\n")
        set(found TRUE)
      endif()
    endforeach()
  endif()
  file(WRITE "${dir}/sources.list" "${list_out}")
  set(d822 /etc/apt/sources.list.d/debian.sources)
  if(EXISTS ${d822})
    file(READ ${d822} text)
    string(REGEX REPLACE "(^|\n)Types:[^\n]*" "\\1Types: deb-src" text "${text}")
    file(WRITE "${dir}/sources.list.d/debian.sources" "${text}")
    set(found TRUE)
  endif()
  if(NOT found)
    message(FATAL_ERROR "pciutils: no apt source in '/etc/apt/sources.list' or "
      "'${d822}' to fetch the pciutils source package from "
      "(or set ORCH_PCIUTILS_SOURCE to an unpacked pciutils tree)")
  endif()
endfunction()

if(NOT EXISTS "${_pu_stamp}")
  file(REMOVE_RECURSE "${_pu_src}" "${_pu_src}.tmp")
  file(MAKE_DIRECTORY "${_pu_root}")
  set(_pu_wd "${_pu_root}")
  if(ORCH_PCIUTILS_SOURCE)
    if(NOT EXISTS "${ORCH_PCIUTILS_SOURCE}/lib/pci.h")
      message(FATAL_ERROR "pciutils: '${ORCH_PCIUTILS_SOURCE}' is not a pciutils source tree")
    endif()
    message(STATUS "pciutils: copying '${ORCH_PCIUTILS_SOURCE}'")
    file(COPY "${ORCH_PCIUTILS_SOURCE}/" DESTINATION "${_pu_src}.tmp")
    set(_pu_version "local")
  else()
    find_program(ORCH_APT_GET apt-get REQUIRED)
    find_program(ORCH_DPKG_SOURCE dpkg-source REQUIRED)
    set(_apt "${_pu_root}/apt")
    file(MAKE_DIRECTORY "${_apt}/lists/partial" "${_apt}/cache" "${_pu_root}/download")
    _orch_pciutils_apt_sources("${_apt}")
    # Own source lists, index and cache: the system's apt state stays untouched.
    # The files land in the build tree, which apt's sandbox user may not be
    # allowed to write, hence no sandbox.
    set(_apt_opts
      -q -o Dir::Etc::SourceList=${_apt}/sources.list
      -o Dir::Etc::SourceParts=${_apt}/sources.list.d
      -o Dir::State::Lists=${_apt}/lists
      -o Dir::Cache=${_apt}/cache
      -o APT::Sandbox::User=root)
    message(STATUS "pciutils: fetching Debian's source package with apt")
    _orch_pciutils_run("apt-get update (deb-src)" ${ORCH_APT_GET} ${_apt_opts} update)
    file(GLOB _old "${_pu_root}/download/*")
    if(_old)
      file(REMOVE ${_old})
    endif()
    set(_pu_wd "${_pu_root}/download")
    _orch_pciutils_run("apt-get source pciutils"
      ${ORCH_APT_GET} ${_apt_opts} source --download-only --only-source pciutils)
    file(GLOB _dsc "${_pu_root}/download/pciutils_*.dsc")
    list(LENGTH _dsc _n)
    if(NOT _n EQUAL 1)
      message(FATAL_ERROR "pciutils: expected one .dsc in '${_pu_root}/download', found '${_dsc}'")
    endif()
    string(REGEX REPLACE "^.*/pciutils_(.*)\\.dsc$" "\\1" _pu_version "${_dsc}")
    _orch_pciutils_run("dpkg-source -x '${_dsc}'"
      ${ORCH_DPKG_SOURCE} --no-check -x "${_dsc}" "${_pu_src}.tmp")
    # The source indexes (some 20 MB) are not needed once the tree is unpacked,
    # nor the copy of the upstream tarball dpkg-source leaves beside the tree.
    file(GLOB _orig "${_pu_root}/pciutils_*.orig.tar*")
    file(REMOVE_RECURSE "${_apt}/lists" "${_apt}/cache" ${_orig})
  endif()
  file(RENAME "${_pu_src}.tmp" "${_pu_src}")
  file(WRITE "${_pu_stamp}" "${_pu_version}\n")
endif()

file(STRINGS "${_pu_stamp}" ORCH_PCIUTILS_VERSION LIMIT_COUNT 1)
message(STATUS "pciutils: ${ORCH_PCIUTILS_VERSION} in '${_pu_src}'")

# The build options keep libpci free of other libraries (zlib, resolver, udev,
# kmod) so a -static link needs nothing more; names come from the node's own
# /usr/share/misc/pci.ids.
set(_pu_make_args lib/libpci.a SHARED=no ZLIB=no DNS=no HWDB=no LIBKMOD=no
  PREFIX=/usr IDSDIR=/usr/share/misc "CC=${CMAKE_C_COMPILER}")
set(_pu_headers config.h header.h pci.h types.h)
set(_pu_inc_files "")
set(_pu_src_headers "")
foreach(h IN LISTS _pu_headers)
  list(APPEND _pu_inc_files "${_pu_inc}/pci/${h}")
  list(APPEND _pu_src_headers "${_pu_src}/lib/${h}")
endforeach()
file(MAKE_DIRECTORY "${_pu_inc}/pci")

find_program(ORCH_MAKE NAMES gmake make REQUIRED)
# pciutils builds in its own tree with its own Makefile. The parent make's
# jobserver flags are dropped so the inner make neither warns nor misuses them.
add_custom_command(
  OUTPUT "${_pu_lib}" ${_pu_inc_files}
  COMMAND ${CMAKE_COMMAND} -E env --unset=MAKEFLAGS --unset=MFLAGS --unset=MAKELEVEL
          ${ORCH_MAKE} -s ${_pu_make_args}
  COMMAND ${CMAKE_COMMAND} -E copy_if_different
          ${_pu_src_headers} "${_pu_inc}/pci/"
  WORKING_DIRECTORY "${_pu_src}"
  DEPENDS "${_pu_stamp}"
  COMMENT "Building static libpci ${ORCH_PCIUTILS_VERSION}"
  VERBATIM)
add_custom_target(orch_libpci_build DEPENDS "${_pu_lib}" ${_pu_inc_files})

add_library(orch::libpci STATIC IMPORTED GLOBAL)
set_target_properties(orch::libpci PROPERTIES
  IMPORTED_LOCATION "${_pu_lib}"
  INTERFACE_INCLUDE_DIRECTORIES "${_pu_inc}")
add_dependencies(orch::libpci orch_libpci_build)

# jansson: Debian's libjansson-dev ships the static archive next to the shared one.
find_path(ORCH_JANSSON_INCLUDE_DIR jansson.h REQUIRED)
find_library(ORCH_JANSSON_STATIC_LIBRARY NAMES libjansson.a REQUIRED)
add_library(orch::jansson_static STATIC IMPORTED GLOBAL)
set_target_properties(orch::jansson_static PROPERTIES
  IMPORTED_LOCATION "${ORCH_JANSSON_STATIC_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${ORCH_JANSSON_INCLUDE_DIR}")
