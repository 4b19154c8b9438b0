"""``python -m sheetcrm.fakesheets``: run the fake until Ctrl-C.

    python -m sheetcrm.fakesheets --port 8765 --seed-xlsx shop.xlsx --quota-per-minute 60

Prints the root URL (and the id of a seeded spreadsheet); listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from sheetcrm.fakesheets.server import FakeSheetsServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sheetcrm.fakesheets",
        description="A local fake of the Google Sheets API v4 on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free)")
    parser.add_argument(
        "--seed-xlsx", type=Path, help="create a spreadsheet from this workbook's values"
    )
    parser.add_argument(
        "--quota-per-minute", type=int, help="answer 429 beyond this many requests a minute"
    )
    parser.add_argument(
        "--state", type=Path, help="load spreadsheets from this JSON file and save changes to it"
    )
    args = parser.parse_args(argv)

    server = FakeSheetsServer(
        port=args.port, quota_per_minute=args.quota_per_minute, state_path=args.state
    )
    server.start()
    print(f"fakesheets listening on {server.root_url}", flush=True)
    if args.seed_xlsx:
        spreadsheet_id = server.seed_xlsx(args.seed_xlsx)
        print(f"seeded spreadsheet {spreadsheet_id} from {args.seed_xlsx}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
