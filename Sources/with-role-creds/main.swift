import RoleCreds

Launcher.main(ByteText.arguments())
