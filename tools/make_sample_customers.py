"""Regenerate crm_xl/data/customers.csv, the built-in sample customer rating table.

Deterministic (fixed seed). Realistic shape for a mid-sized B2B seller: annual spend
log-normal around 60,000 yuan, orders related to spend, some customers lapsed, a few blank
cells (no survey answer, no complaint) as real tables have. Run: python tools/make_sample_customers.py
"""

import csv
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "crm_xl" / "data" / "customers.csv"

PREFIXES = ["华东", "华南", "北方", "西部", "中原", "东海", "长江", "珠江", "天府", "燕京"]
TRADES = [
    "精密机械",
    "电子科技",
    "食品",
    "物流",
    "医疗器械",
    "服饰",
    "建材",
    "软件",
    "化工",
    "家居",
]
SUFFIX = ["有限公司", "股份有限公司", "贸易有限公司"]
REGIONS = ["华东", "华南", "华北", "西南", "华中"]
CHANNELS = ["直销", "经销商", "线上商城", "电话销售"]


def main() -> None:
    rng = random.Random(2026)
    rows = []
    names = set()
    while len(rows) < 60:
        name = rng.choice(PREFIXES) + rng.choice(TRADES) + rng.choice(SUFFIX)
        if name in names:
            continue
        names.add(name)
        n = len(rows) + 1
        spend = round(rng.lognormvariate(11.0, 0.75), -2)
        orders = max(1, round(spend / 8000 * rng.uniform(0.5, 1.5)))
        days = rng.choice([rng.randint(3, 60), rng.randint(30, 180), rng.randint(150, 400)])
        satisfaction = rng.choice(["", 2, 3, 3, 4, 4, 4, 5, 5]) if n % 11 else ""
        interactions = rng.randint(0, 24)
        campaigns = rng.randint(0, 6)
        complaint_hours = "" if rng.random() < 0.3 else round(rng.uniform(2, 96), 1)
        rows.append(
            {
                "customer_id": f"C{n:04d}",
                "name": name,
                "region": rng.choice(REGIONS),
                "channel": rng.choice(CHANNELS),
                "annual_spend": int(spend),
                "orders": orders,
                "days_since_purchase": days,
                "satisfaction": satisfaction,
                "interactions": interactions,
                "campaigns": campaigns,
                "complaint_hours": complaint_hours,
            }
        )
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} customers to {OUT}")


if __name__ == "__main__":
    main()
