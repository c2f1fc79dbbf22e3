"""CloudWatch metric math: ``parse`` an expression, ``evaluate`` it against its request.

| module | concern |
|---|---|
| ``lexer.py``, ``parser.py``, ``syntax_tree.py`` | the language |
| ``series.py`` | scalars, time series, arrays; dropped non-finite points |
| ``arithmetic.py`` | operators, with timestamp alignment |
| ``aggregate_functions.py`` | SUM AVG MIN MAX STDDEV METRIC_COUNT FIRST LAST SORT REMOVE_EMPTY |
| ``series_functions.py`` | ABS CEIL FLOOR LOG LOG10 RATE DIFF DIFF_TIME RUNNING_SUM PERIOD FILL IF TIME_SERIES |
| ``time_functions.py`` | EPOCH MINUTE HOUR DAY DATE MONTH YEAR DATAPOINT_COUNT |
| ``functions.py`` | the function table; METRICS, SEARCH, ANOMALY_DETECTION_BAND |
| ``search.py`` | the SEARCH expression language over stored metrics |
| ``insights.py`` | the Metrics Insights language (SELECT ... FROM ... WHERE ... GROUP BY ...) |
| ``anomaly_band.py`` | the model behind ANOMALY_DETECTION_BAND |
"""

from overcast.services.cloudwatch.metric_math.errors import ExpressionError
from overcast.services.cloudwatch.metric_math.evaluator import evaluate
from overcast.services.cloudwatch.metric_math.parser import parse
from overcast.services.cloudwatch.metric_math.series import DroppedPoints, SeriesArray, TimeSeries

__all__ = ["ExpressionError", "evaluate", "parse", "DroppedPoints", "SeriesArray", "TimeSeries"]
