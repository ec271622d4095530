from campaign_metrics.adapters.cli import main

raise SystemExit(main())
