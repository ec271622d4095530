from campaign_metrics.cli import main

raise SystemExit(main())
