import KKTNetCommandLine

KKTNetCommand.main()
