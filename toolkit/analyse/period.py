"""A period's analysis as one object: what the pipeline hands to the store, the files and the notebook."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from toolkit.analyse.conversion import Conversion
from toolkit.analyse.cost import CostEstimate
from toolkit.analyse.leaks import LeakResult
from toolkit.frames import Dataset
from toolkit.settings.config import Config


@dataclass
class PeriodRun:
    """Everything computed for one period: the loaded data, its leaks, summary, groups and cost."""

    period: str
    as_of: pd.Timestamp
    data: Dataset
    config: Config
    result: LeakResult
    summary: pd.DataFrame
    groups: pd.DataFrame
    cost: CostEstimate
    #: Where ``as_of`` came from, in words: the option or config that set it, or the export's column.
    as_of_from: str = ""
    #: Won, lost and open leads of the period and their win rate, where the export has outcomes.
    conversion: Conversion | None = None
