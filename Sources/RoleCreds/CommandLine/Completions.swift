/// Shell completion scripts for bash, zsh and fish, made from `OptionTable` (packaged with the release).
public enum Completions {
    /// The script for `shell` (`bash`, `zsh`, `fish`), or nil for a shell without one.
    public static func script(for shell: String) -> String? {
        switch shell {
        case "bash": return bash()
        case "zsh": return zsh()
        case "fish": return fish()
        default: return nil
        }
    }

    /// The words a value is completed with: the option's choices, or for a signal the names `SignalName` knows
    /// (less KILL and STOP, which the parser refuses).
    static func choices(_ spec: OptionSpec) -> [String] {
        guard spec.choices.isEmpty, spec.placeholder == "SIG" else { return spec.choices }
        return SignalName.table.map(\.0).filter { $0 != "KILL" && $0 != "STOP" }
    }

    /// The shared config file's profile names, as `--profile` takes them (sed, for bash and zsh).
    static let profilesFunction = #"""
        _with_role_creds_profiles() {
            local file=${AWS_CONFIG_FILE:-$HOME/.aws/config}
            [ -r "$file" ] && sed -n 's/^[[:blank:]]*\[profile[[:blank:]]\{1,\}\([^]]*[^][:blank:]]\)[[:blank:]]*\][[:blank:]]*$/\1/p; s/^[[:blank:]]*\[default\][[:blank:]]*$/default/p' "$file"
        }
        """#

    /// bash: option names; a value's choices, profile names or file names after an option that takes one;
    /// after `--`, the command and its own completion (bash-completion's `_command_offset`, where loaded).
    static func bash() -> String {
        let withValue = OptionTable.all.filter { $0.placeholder != nil }
        var cases: [String] = []
        for spec in withValue {
            let pattern = spec.names.joined(separator: "|")
            if spec.names.contains("--profile") {
                cases.append("        \(pattern)) _with_role_creds_words \"$(_with_role_creds_profiles)\"; return ;;")
            } else if !choices(spec).isEmpty {
                cases.append("        \(pattern)) _with_role_creds_words '\(choices(spec).joined(separator: " "))'; return ;;")
            } else if spec.takesFile {
                cases.append("        \(pattern)) mapfile -t COMPREPLY < <(compgen -f -- \"$cur\"); return ;;")
            } else {
                cases.append("        \(pattern)) return ;;")
            }
        }
        return """
        # bash completion for with-role-creds (generated from its option table)
        \(profilesFunction)
        _with_role_creds_words() { mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur"); }
        _with_role_creds() {
            local cur prev i
            cur=${COMP_WORDS[COMP_CWORD]}
            prev=${COMP_WORDS[COMP_CWORD-1]}
            COMPREPLY=()
            for ((i = 1; i < COMP_CWORD; i++)); do
                if [[ ${COMP_WORDS[i]} == -- ]]; then
                    if declare -F _command_offset >/dev/null; then _command_offset $((i + 1))
                    elif ((i + 1 == COMP_CWORD)); then mapfile -t COMPREPLY < <(compgen -c -- "$cur" | sort -u)
                    else mapfile -t COMPREPLY < <(compgen -f -- "$cur"); fi
                    return
                fi
            done
            case $prev in
        \(cases.joined(separator: "\n"))
            esac
            _with_role_creds_words '\(OptionTable.names.joined(separator: " ")) --'
        }
        complete -F _with_role_creds with-role-creds

        """
    }

    /// zsh: `_arguments` specs, then the command and its arguments.
    static func zsh() -> String {
        var specs: [String] = []
        for spec in OptionTable.all {
            let help = zshEscape(spec.help)
            let action: String
            if let placeholder = spec.placeholder {
                let value = spec.names.contains("--profile") ? "( ${(f)\"$(_with_role_creds_profiles)\"} )"
                    : !choices(spec).isEmpty ? "(\(choices(spec).joined(separator: " ")))" : spec.takesFile ? "_files" : " "
                action = ":\(zshEscape(placeholder)):\(value)"
            } else {
                action = ""
            }
            let names = spec.names.count > 1 ? "{\(spec.names.joined(separator: ","))}" : spec.names[0]
            let exclusion = spec.names.count > 1 ? "'(\(spec.names.joined(separator: " ")))'" : ""
            specs.append("    \(exclusion)\(names)'[\(help)]\(action)'")
        }
        return """
        #compdef with-role-creds
        # zsh completion for with-role-creds (generated from its option table)
        \(profilesFunction)
        _arguments -s -S \\
        \(specs.joined(separator: " \\\n")) \\
            '(-)1:command:_command_names -e' \\
            '*::arguments:_normal'

        """
    }

    /// fish: one `complete` line per option, offered before `--`; after it, the command's own completions.
    static func fish() -> String {
        var lines = [
            "# fish completion for with-role-creds (generated from its option table)",
            "function __with_role_creds_profiles",
            "    set -l file ~/.aws/config",
            "    set -q AWS_CONFIG_FILE; and set file $AWS_CONFIG_FILE",
            "    test -r $file; or return",
            "    string replace -rf '^\\s*\\[profile\\s+([^\\]]*?)\\s*\\]\\s*$' '$1' < $file",
            "    string match -rq '^\\s*\\[default\\]\\s*$' < $file; and echo default",
            "end",
            "complete -c with-role-creds -f",
        ]
        for spec in OptionTable.all {
            var line = "complete -c with-role-creds -n 'not contains -- -- (commandline -opc)'"
            for name in spec.names {
                line += name.hasPrefix("--") ? " -l \(name.dropFirst(2))" : " -s \(name.dropFirst())"
            }
            if spec.placeholder != nil {
                line += spec.takesFile ? " -r -F" : " -x"
                if spec.names.contains("--profile") { line += " -a '(__with_role_creds_profiles)'" }
                if !choices(spec).isEmpty { line += " -a '\(choices(spec).joined(separator: " "))'" }
            }
            line += " -d '\(spec.help.replacingSingleQuotes())'"
            lines.append(line)
        }
        lines.append("complete -c with-role-creds -n 'contains -- -- (commandline -opc)' -x -a '(__fish_complete_subcommand -- --)'")
        return lines.joined(separator: "\n") + "\n"
    }

    static func zshEscape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "[", "]", ":", "\\": out += "\\" + String(c)
            case "'": out += "'\\''"
            default: out.append(c)
            }
        }
        return out
    }
}

extension String {
    /// For a single-quoted shell word: each `'` closed, escaped and reopened.
    func replacingSingleQuotes() -> String {
        var out = ""
        for c in self { if c == "'" { out += "'\\''" } else { out.append(c) } }
        return out
    }
}
