#!/usr/bin/env bash
# Finds a working Python of one of the versions asked for, in the order given, and prints its path:
#
#   tools/find_python.sh 3.11.5 3.12 3.13    # a 3.11 (3.11.5 or later), else a 3.12, else a 3.13
#
# Working means it runs `import venv, ensurepip` and is that version: a pyenv shim for a version
# pyenv does not select (it exits 127) is passed over, and so is a Debian python3.X without
# python3.X-venv. For each version it tries, in turn: PYTHON_X_Y from the environment (PYTHON_3_13
# for 3.13; when set it is the only candidate, and an error if it does not work), every pythonX.Y on
# the PATH, pyenv's versions ($PYENV_ROOT, `pyenv root`, ~/.pyenv; newest patch first), then
# Homebrew's (/opt/homebrew, /usr/local). It prints the interpreter's own sys.executable (a shim
# becomes the real binary). When none works it prints one sentence to stderr, what to install, and
# exits 1. The Makefile (PYTHON, PORTABLE_PYTHON) and .ci/run use it. Written for macOS's Bash 3.2 too (tried on Linux only).
set -uo pipefail

fail() { echo "$*" >&2; exit 1; }
usage="usage: $0 X.Y[.Z] ... (the versions wanted, in order of preference; .Z is the oldest patch accepted)"
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }

spec_re='^([0-9]+)\.([0-9]+)(\.([0-9]+))?$'
notes=""      # why interpreters that exist were passed over, for the failure sentence
tried=""      # the names looked for, for the failure sentence

# check PATH MAJOR MINOR MINPATCH: prints sys.executable if PATH is a working Python MAJOR.MINOR.>=MINPATCH.
check() {
  local out exe version patch
  out=$("$1" -c 'import sys, venv, ensurepip; print(sys.executable); print("%d.%d.%d" % sys.version_info[:3])' \
        2>/dev/null </dev/null) || {
    # It runs but lacks venv/ensurepip (Debian without python3.X-venv): worth saying. A shim that exits 127 is not.
    if "$1" -c 'pass' >/dev/null 2>&1 </dev/null; then notes="$notes; $1 lacks venv/ensurepip"; fi
    return 1
  }
  exe=${out%%$'\n'*}
  version=${out##*$'\n'}
  case $version in
    "$2.$3".*) ;;
    *) notes="$notes; $1 is Python $version"; return 1 ;;
  esac
  patch=${version##*.}
  if [ "$patch" -lt "$4" ]; then
    notes="$notes; $1 is $version, older than $2.$3.$4"
    return 1
  fi
  echo "${exe:-$1}"
}

# pyenv's installations of MAJOR.MINOR under one root, newest patch first (3.13.10 before 3.13.9).
pyenv_versions() {
  local dir
  for dir in "$1"/versions/"$2".*/ "$1"/versions/"$2"-*/; do
    [ -d "$dir" ] && basename "$dir"
  done | sort -t. -k3,3nr
}

# try PATH: check an executable file once per version (the PATH may name one file twice).
try() {
  local dir key
  [ -x "$1" ] || return 1
  dir=$(cd -P "$(dirname "$1")" 2>/dev/null && pwd -P) || return 1
  key=$dir/$(basename "$1")   # /bin/python3.11 and /usr/bin/python3.11 are one file where /bin links to usr/bin
  case $seen in *$'\n'"$key"$'\n'*) return 1 ;; esac
  seen="$seen$key"$'\n'
  check "$1" "$major" "$minor" "$minpatch"
}

for spec in "$@"; do
  [[ $spec =~ $spec_re ]] || { echo "$usage" >&2; exit 2; }
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} minpatch=${BASH_REMATCH[4]:-0}
  name=python$major.$minor
  tried="$tried $name"

  override_var=PYTHON_${major}_${minor}
  override=${!override_var:-}
  if [ -n "$override" ]; then
    check "$override" "$major" "$minor" "$minpatch" && exit 0
    fail "$override_var=$override is not a working Python $major.$minor (it must run \`import venv, ensurepip\`$notes): point it at one, or unset it."
  fi

  seen=$'\n'
  # Every pythonX.Y on the PATH: a shim that fails may hide a working one further on.
  while IFS= read -r candidate; do
    [ -n "$candidate" ] && try "$candidate" && exit 0
  done < <(type -aP "$name" 2>/dev/null)

  roots=${PYENV_ROOT:-}$'\n'
  if command -v pyenv >/dev/null 2>&1; then roots="$roots$(pyenv root 2>/dev/null)"$'\n'; fi
  roots="$roots${HOME:-/nonexistent}/.pyenv"
  while IFS= read -r root; do
    [ -n "$root" ] && [ -d "$root/versions" ] || continue
    while IFS= read -r version; do
      try "$root/versions/$version/bin/$name" && exit 0
    done < <(pyenv_versions "$root" "$major.$minor")
  done <<< "$roots"

  for prefix in /opt/homebrew /usr/local; do
    for candidate in "$prefix/bin/$name" "$prefix/opt/python@$major.$minor/bin/$name"; do
      try "$candidate" && exit 0
    done
  done
done

# Nothing works: one sentence, what to install.
last=${!#}
last=$(echo "$last" | cut -d. -f1-2)
wanted=""
n=0
for spec in "$@"; do
  n=$((n + 1))
  [[ $spec =~ $spec_re ]]
  label="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
  [ -n "${BASH_REMATCH[4]:-}" ] && label="$label ($spec or later)"
  if [ $n -eq 1 ]; then wanted=$label
  elif [ $n -eq $# ]; then wanted="$wanted or $label"
  else wanted="$wanted, $label"
  fi
done
tried=${tried# }
if [ $# -eq 1 ]; then
  apt="sudo apt-get install $name $name-venv"
else
  apt="sudo apt-get install python3 python3-venv"
  apt="\`$apt\` (where the distribution's python3 is one of these)"
fi
case $apt in \`*) ;; *) apt="\`$apt\`" ;; esac
fail "No working Python $wanted here (tried ${tried// /, } on the PATH, pyenv and Homebrew$notes):" \
     "install one, e.g. $apt, \`brew install python@$last\` or \`pyenv install $last\`."
