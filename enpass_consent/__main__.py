from enpass_consent.cli import main

main()
