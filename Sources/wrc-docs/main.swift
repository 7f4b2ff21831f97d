// The release's generated documents, from the option table: `wrc-docs man VERSION DATE`, `wrc-docs bash|zsh|fish`.
#if canImport(Glibc)
import Glibc
#endif
import RoleCreds

let args = Array(CommandLine.arguments.dropFirst())
if args.count == 3, args[0] == "man" {
    print(ManPage.render(version: args[1], date: args[2]), terminator: "")
} else if args.count == 1, let script = Completions.script(for: args[0]) {
    print(script, terminator: "")
} else {
    print("usage: wrc-docs man VERSION YYYY-MM-DD | wrc-docs bash|zsh|fish")
    exit(2)
}
