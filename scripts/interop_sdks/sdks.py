"""The AWS SDKs for Go (v2) and Ruby as Debian packages them, for scripts/interop.

The Go child is built in GOPATH mode against /usr/share/gocode (golang-github-aws-aws-sdk-go-v2-dev): no module
proxy, no network. It is built once per source and toolchain and kept under .build/interop-go/.
"""
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOCODE = Path("/usr/share/gocode")
GO_SDK = GOCODE / "src/github.com/aws/aws-sdk-go-v2"


class Missing(Exception):
    """A toolchain or SDK that scripts/deps installs is not there."""


def _module_version(path):
    match = re.search(r'goModuleVersion = "([^"]+)"', (path / "go_module_metadata.go").read_text())
    return match.group(1) if match else "?"


def go_child(build_dir):
    """The path of the built Go child; compiles it when its source or the Go toolchain changed."""
    go = shutil.which("go")
    if not go or not (GO_SDK / "config").is_dir():
        raise Missing("go or the AWS SDK for Go v2 is missing (scripts/deps installs golang-go and "
                      "golang-github-aws-aws-sdk-go-v2-dev)")
    source = HERE / "sdk_child.go"
    toolchain = subprocess.run([go, "version"], capture_output=True, text=True).stdout
    stamp = hashlib.sha256(source.read_bytes() + toolchain.encode() + go_versions()["config"].encode()).hexdigest()
    out = build_dir / "interop-go"
    binary, stamp_file = out / "sdk_child", out / "sdk_child.stamp"
    if binary.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return str(binary)
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GO111MODULE="off", GOPATH=f"{out / 'gopath'}:{GOCODE}", GOCACHE=str(out / "cache"),
               GOPROXY="off", GOTOOLCHAIN="local", GOFLAGS="", CGO_ENABLED="0")
    build = subprocess.run([go, "build", "-o", str(binary), str(source)], env=env, capture_output=True, text=True)
    if build.returncode != 0:
        raise RuntimeError("the Go child did not build:\n" + build.stderr[-3000:])
    stamp_file.write_text(stamp)
    return str(binary)


def go_versions():
    return {"go": subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True).stdout.strip() or "?",
            "aws": _module_version(GO_SDK / "aws") if GO_SDK.is_dir() else "missing",
            "config": _module_version(GO_SDK / "config") if GO_SDK.is_dir() else "missing"}


def ruby_child():
    """The Ruby child's command line."""
    if not shutil.which("ruby"):
        raise Missing("ruby is missing (scripts/deps installs ruby and ruby-aws-sdk-core)")
    return ["ruby", str(HERE / "sdk_child.rb")]


def ruby_version():
    if not shutil.which("ruby"):
        return "missing"
    r = subprocess.run(["ruby", "-e", 'begin; require "aws-sdk-core"; print Aws::CORE_GEM_VERSION; rescue LoadError; '
                        'print "missing"; end; print " ruby ", RUBY_VERSION'], capture_output=True, text=True)
    return r.stdout.strip() or "?"
