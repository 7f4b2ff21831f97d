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

    /// bash: option names; a value's choices or file names after an option that takes one; commands after `--`.
    static func bash() -> String {
        let withValue = OptionTable.all.filter { $0.placeholder != nil }
        var cases: [String] = []
        for spec in withValue {
            let pattern = spec.names.joined(separator: "|")
            if !spec.choices.isEmpty {
                cases.append("        \(pattern)) COMPREPLY=($(compgen -W '\(spec.choices.joined(separator: " "))' -- \"$cur\")); return ;;")
            } else if spec.takesFile {
                cases.append("        \(pattern)) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;")
            } else {
                cases.append("        \(pattern)) return ;;")
            }
        }
        return """
        # bash completion for with-role-creds (generated from its option table)
        _with_role_creds() {
            local cur prev i
            cur=${COMP_WORDS[COMP_CWORD]}
            prev=${COMP_WORDS[COMP_CWORD-1]}
            for ((i = 1; i < COMP_CWORD; i++)); do
                if [[ ${COMP_WORDS[i]} == -- ]]; then
                    COMPREPLY=($(compgen -c -- "$cur")); return
                fi
            done
            case $prev in
        \(cases.joined(separator: "\n"))
            esac
            COMPREPLY=($(compgen -W '\(OptionTable.names.joined(separator: " ")) --' -- "$cur"))
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
                let value = spec.choices.isEmpty ? (spec.takesFile ? "_files" : " ") : "(\(spec.choices.joined(separator: " ")))"
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
        _arguments -s -S \\
        \(specs.joined(separator: " \\\n")) \\
            '(-)1:command:_command_names -e' \\
            '*::arguments:_normal'

        """
    }

    /// fish: one `complete` line per option.
    static func fish() -> String {
        var lines = ["# fish completion for with-role-creds (generated from its option table)"]
        for spec in OptionTable.all {
            var line = "complete -c with-role-creds"
            for name in spec.names {
                line += name.hasPrefix("--") ? " -l \(name.dropFirst(2))" : " -s \(name.dropFirst())"
            }
            if spec.placeholder != nil {
                line += spec.takesFile ? " -r -F" : " -x"
                if !spec.choices.isEmpty { line += " -a '\(spec.choices.joined(separator: " "))'" }
            }
            line += " -d '\(spec.help.replacingSingleQuotes())'"
            lines.append(line)
        }
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
