#!/usr/bin/env bash
# The package check (called by .ci/run; runs on its own too): packs Microsoft.ML.Recurrent and
# Microsoft.ML.Recurrent.Serving to artifacts/packages, installs them with `dotnet add package` into a fresh console
# project outside the repository (so nothing of the repository's build reaches it: no Directory.Build.props, no
# project references), and runs Program.cs beside this file there. The result is written as
# TestResults/package-check.trx, one test, so that .ci/run's closing count includes it. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
packages="$repo/artifacts/packages"
trx="$repo/TestResults/package-check.trx"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/Directory.Build.props)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

write_trx() { # write_trx OUTCOME: one test, Passed or Failed (written whole, then renamed into place)
  local passed=0 failed=0
  if [ "$1" = Passed ]; then passed=1; else failed=1; fi
  mkdir -p "$(dirname "$trx")"
  cat >"$trx.tmp" <<TRX
<?xml version="1.0" encoding="UTF-8"?>
<TestRun name="package-check" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <ResultSummary outcome="$1">
    <Counters total="1" executed="1" passed="$passed" failed="$failed" error="0" timeout="0" aborted="0" />
  </ResultSummary>
</TestRun>
TRX
  mv "$trx.tmp" "$trx"
}

fail() {
  echo "error: package check: $1 (log: $2)" >&2
  tail -n 40 "$2" >&2 || true
  write_trx Failed
  exit 1
}

# A package of this version restored into the user's package folder earlier would be used instead of the one just
# packed (NuGet never looks at a source for a version it already has), so the fresh project restores into its own.
rm -rf "$packages"
for project in src/Microsoft.ML.Recurrent src/Microsoft.ML.Recurrent.Serving; do
  echo "== dotnet pack $project"
  dotnet pack "$project" -c Release -o "$packages" >"$work/pack.log" 2>&1 || fail "dotnet pack $project failed" "$work/pack.log"
done
ls -l "$packages"

app="$work/app"
dotnet new console -o "$app" --name PackageConsumer >"$work/new.log" 2>&1 || fail "dotnet new console failed" "$work/new.log"
# Sources: the packages just packed, and nuget.org (as the repository's NuGet.config) for ML.NET and the rest. The
# user's package folder is a fallback folder, read-only, so ML.NET already restored there is not fetched again.
cat >"$app/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
  <fallbackPackageFolders>
    <add key="user" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" />
  </fallbackPackageFolders>
  <packageSources>
    <clear />
    <add key="local" value="$packages" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
CONFIG
for fallback in microsoft.ml.recurrent microsoft.ml.recurrent.serving; do
  if [ -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}/$fallback/$version" ]; then
    echo "error: package check: ${NUGET_PACKAGES:-$HOME/.nuget/packages}/$fallback/$version exists and would be used instead of the package just packed; remove it" >&2
    write_trx Failed
    exit 1
  fi
done
cp tests/PackageConsumer/Program.cs "$app/Program.cs"
for package in Microsoft.ML.Recurrent Microsoft.ML.Recurrent.Serving; do
  echo "== dotnet add package $package --version $version"
  (cd "$app" && dotnet add package "$package" --version "$version") >"$work/add.log" 2>&1 \
    || fail "dotnet add package $package --version $version failed" "$work/add.log"
done

echo "== build and run the consumer"
dotnet build "$app" -c Release >"$work/build.log" 2>&1 || fail "the consumer did not build against the packages" "$work/build.log"
if ! dotnet run --project "$app" -c Release --no-build 2>&1 | tee "$work/run.log"; then
  fail "the consumer failed (see its lines above)" "$work/run.log"
fi
write_trx Passed
echo "== package check passed in $(($(date +%s) - started)) s"
