import RoleCreds

Launcher.main(Array(CommandLine.arguments.dropFirst()))
