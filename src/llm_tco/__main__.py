from llm_tco.cli import main

raise SystemExit(main())
