"""The columnar evaluator: expressions over a whole pyarrow RecordBatch with pyarrow.compute.

compile_vector(node) returns fn(batch_env) -> pa.Array | Const, or raises NotVectorizable when
the expression has a construct compute cannot express the same way as the per-record
evaluator (rowwise.py, the reference). At run time an evaluation raises Fallback when this
batch's data needs the per-record path (a text that is not a number, an overflow, a type it
does not handle): the caller then evaluates that batch record by record, so both paths
always give the same answer.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from . import nodes as n
from .casts import is_number
from .missing import MISSING
from .rowwise import logical_and, logical_or, negate, negative
from .vector_forms import (
    compile_call,
    compile_case,
    compile_cast,
    compile_in,
    compile_is,
    compile_like,
)
from .vector_values import (
    ARITH,
    COMPARE,
    Const,
    Fallback,
    NotVectorizable,
    arithmetic_values,
    as_bool,
    compare_values,
    concat_values,
    logic,
    numeric,
)

__all__ = ["Const", "Fallback", "NotVectorizable", "compile_vector"]


def compile_vector(node: n.Node):
    if isinstance(node, n.Literal):
        if node.value is MISSING or not (
            node.value is None or isinstance(node.value, (bool, str)) or is_number(node.value)
        ):
            raise NotVectorizable
        const = Const(node.value)
        return lambda env: const
    if isinstance(node, n.Path):
        return lambda env: env.column(node)
    if isinstance(node, n.Unary):
        operand = compile_vector(node.operand)
        if node.op == "not":

            def invert(env):
                value = operand(env)
                if isinstance(value, Const):
                    return Const(negate(value.value))
                return pc.invert(as_bool(value))

            return invert
        if node.op == "-":

            def minus(env):
                value = operand(env)
                if isinstance(value, Const):
                    return Const(negative(value.value))
                try:
                    return pc.negate_checked(numeric(value))
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    raise Fallback from None

            return minus
        raise NotVectorizable
    if isinstance(node, n.Binary):
        left, right = compile_vector(node.left), compile_vector(node.right)
        op = node.op
        if op == "and":
            return lambda env: logic(pc.and_kleene, logical_and, left(env), right(env))
        if op == "or":
            return lambda env: logic(pc.or_kleene, logical_or, left(env), right(env))
        if op in COMPARE:
            return lambda env: compare_values(op, left(env), right(env))
        if op in ARITH:
            return lambda env: arithmetic_values(op, left(env), right(env))
        if op == "||":
            return lambda env: concat_values(left(env), right(env))
        raise NotVectorizable
    if isinstance(node, n.Like):
        return compile_like(node, compile_vector)
    if isinstance(node, n.Between):
        subject = compile_vector(node.subject)
        low, high = compile_vector(node.low), compile_vector(node.high)

        def between(env):
            value = subject(env)
            above = compare_values(">=", value, low(env))
            below = compare_values("<=", value, high(env))
            inside = logic(pc.and_kleene, logical_and, above, below)
            if not node.negated:
                return inside
            return Const(negate(inside.value)) if isinstance(inside, Const) else pc.invert(inside)

        return between
    if isinstance(node, n.In):
        return compile_in(node, compile_vector)
    if isinstance(node, n.IsTest):
        return compile_is(node, compile_vector)
    if isinstance(node, n.Cast):
        return compile_cast(node, compile_vector)
    if isinstance(node, n.Case):
        return compile_case(node, compile_vector)
    if isinstance(node, n.Call):
        return compile_call(node, compile_vector)
    raise NotVectorizable
