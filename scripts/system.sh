# Sourced by the scripts that set up what the two commands need (setup.sh, install-browser.sh,
# install-libreoffice.sh): their one way to deal with root.
#
#   refuse_sudo_in_a_users_clone NAME
# stops the calling script (NAME) when sudo started it in a clone that belongs to the user who
# ran sudo: every file it made there (.venv, tests/browser/node_modules) would belong to root,
# and the user's next run fail on it; sudo also drops PIP_EXTRA_INDEX_URL and
# LESSON5_DATA_MIRROR. A root login or a container's shell is not stopped (a shell opened
# with sudo -s or sudo -i, in the user's clone, is: it passes SUDO_UID on).
refuse_sudo_in_a_users_clone() {
  if [ -n "${SUDO_UID:-}" ] && [ "$SUDO_UID" != 0 ] && [ "$(id -u)" -eq 0 ] &&
    [ -n "$(find . -maxdepth 0 -user "$SUDO_UID" 2>/dev/null)" ]; then
    echo "$1: started with sudo in a clone that belongs to ${SUDO_USER:-user $SUDO_UID}: what it makes here would belong to root." \
      "Install the system packages with the sudo apt-get lines in README.md (\"Before you start\")," \
      "then run the command as ${SUDO_USER:-that user}, without sudo" >&2
    exit 1
  fi
}

#   apt_install NAME [--no-install-recommends] PACKAGE...
# installs the packages with apt-get; where it fails, NAME (the calling script) says which
# step failed, with the command to run by hand, and the function returns 1.
apt_install() {
  local name=$1
  shift
  export DEBIAN_FRONTEND=noninteractive
  # A machine that has just started often has apt's locks taken by its own daily updates:
  # apt-get waits up to five minutes for them, rather than stop at once on "Could not get
  # lock". Its option waits for dpkg's lock (install); update takes the package lists' lock,
  # which it does not wait for, so update is tried again while that is what stops it.
  local apt=(apt-get -o DPkg::Lock::Timeout=300 -q) tries=0 said packages=() word
  for word in "$@"; do
    [[ "$word" == -* ]] || packages+=("$word")
  done
  while ! said=$("${apt[@]}" update 2>&1 >/dev/null); do
    tries=$((tries + 1))
    if [[ "$said" != *"Could not get lock"* ]] || [ "$tries" -ge 60 ]; then
      echo "$said" >&2
      echo "$name: apt-get update failed (apt's message is above); once it works, run  apt-get install -y $*" >&2
      return 1
    fi
    sleep 5
  done
  if ! "${apt[@]}" install -y "$@" >/dev/null; then
    echo "$name: apt-get could not install ${packages[*]} (apt's message is above);" \
      "run  apt-get install -y $*  to see why" >&2
    return 1
  fi
}
