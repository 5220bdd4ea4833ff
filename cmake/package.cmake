# The Debian package of orch: `cmake --build build --target deb` (or the
# `package` target, which builds everything first) writes
# build/orch_<version>_<arch>.deb holding
#   /usr/bin/orch                                  the agent built in
#   /usr/share/man/man1/orch.1.gz                  docs/orch.1.in
#   /usr/share/bash-completion/completions/orch    controller/orch.bash-completion
#   /usr/share/doc/orch/copyright, changelog.gz    cmake/debian/
# Depends is computed by dpkg-shlibdeps from the libraries orch links.

set(ORCH_DEB_MAINTAINER "orch maintainers <maintainers@users.noreply.r-seed-2884cd38.example>"
  CACHE STRING "Maintainer field of the Debian package")

# gzip -n: no name nor time stamp inside, so the package is reproducible
# (and lintian wants it so).
# The page's exit statuses and defaults are controller/cli.h's (EXIT_* and
# DEFAULT_*, as @EXIT_DRIFT@ and the like), never numbers of its own.
file(STRINGS ${PROJECT_SOURCE_DIR}/controller/cli.h ORCH_CLI_NUMBERS REGEX "^#define (EXIT|DEFAULT)_[A-Z_]+ +[0-9]+")
foreach(line IN LISTS ORCH_CLI_NUMBERS)
  string(REGEX MATCH "^#define ([A-Z_]+) +([0-9]+)" match "${line}")
  set(${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
endforeach()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/controller/cli.h)
# configure_file would write an unknown name as nothing
file(READ ${PROJECT_SOURCE_DIR}/docs/orch.1.in ORCH_MAN_TEXT)
string(REGEX MATCHALL "@[A-Za-z_]+@" ORCH_MAN_NAMES "${ORCH_MAN_TEXT}")
foreach(name IN LISTS ORCH_MAN_NAMES)
  string(REPLACE "@" "" name "${name}")
  if(NOT DEFINED ${name})
    message(FATAL_ERROR "docs/orch.1.in: @${name}@ is not a value CMake knows (controller/cli.h's EXIT_* and DEFAULT_*, PROJECT_VERSION)")
  endif()
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/docs/orch.1.in ${PROJECT_BINARY_DIR}/package/orch.1 @ONLY)
add_custom_command(
  OUTPUT ${PROJECT_BINARY_DIR}/package/orch.1.gz
  COMMAND gzip -9nc orch.1 > orch.1.gz
  DEPENDS ${PROJECT_BINARY_DIR}/package/orch.1
  WORKING_DIRECTORY ${PROJECT_BINARY_DIR}/package
  COMMENT "Compressing the manual page orch(1)")
configure_file(${PROJECT_SOURCE_DIR}/cmake/debian/changelog.in ${PROJECT_BINARY_DIR}/package/changelog @ONLY)
add_custom_command(
  OUTPUT ${PROJECT_BINARY_DIR}/package/changelog.gz
  COMMAND gzip -9nc changelog > changelog.gz
  DEPENDS ${PROJECT_BINARY_DIR}/package/changelog
  WORKING_DIRECTORY ${PROJECT_BINARY_DIR}/package
  COMMENT "Compressing the package's changelog")
add_custom_target(orch_package_files ALL
  DEPENDS ${PROJECT_BINARY_DIR}/package/orch.1.gz ${PROJECT_BINARY_DIR}/package/changelog.gz)

install(FILES ${PROJECT_BINARY_DIR}/package/orch.1.gz DESTINATION share/man/man1)
install(FILES ${PROJECT_SOURCE_DIR}/controller/orch.bash-completion
  DESTINATION share/bash-completion/completions RENAME orch)
install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/copyright ${PROJECT_BINARY_DIR}/package/changelog.gz
  DESTINATION share/doc/orch)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME orch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "${ORCH_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ORCH_DEB_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Unstripped, the binary carries its debug info into /usr/bin.
set(CPACK_STRIP_FILES ON)
# Directories and control files 0755/0644, as dpkg-deb and lintian expect.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "roll PCIe passthrough out across Proxmox VE nodes
orch reads an Ansible inventory (INI or YAML files, directories, group_vars/
and host_vars/) as ansible-inventory reads it, and configures PCIe
passthrough on every node over SSH: IOMMU, vfio-pci binding, driver
blacklists and the kernel command line. A small static agent, built into
orch and copied to the nodes, inspects each node and edits its files
idempotently; orch then reboots the nodes in rolling batches and verifies
each one on its fresh boot. Check mode reports drift for CI.")
include(CPack)

# The package alone: builds orch and what the package holds, then runs cpack.
add_custom_target(deb
  COMMAND ${CMAKE_CPACK_COMMAND} -G DEB --config ${PROJECT_BINARY_DIR}/CPackConfig.cmake
  WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
  DEPENDS orch orch_package_files
  COMMENT "Building the Debian package of orch")
