import RoleCreds

Socket.useBuiltInResolverOnly()
Launcher.main(ByteText.arguments())
