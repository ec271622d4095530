from campaign_awards.cli import main

raise SystemExit(main())
