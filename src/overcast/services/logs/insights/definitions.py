"""Saved Logs Insights queries: PutQueryDefinition, DescribeQueryDefinitions,
DeleteQueryDefinition (the ``insights_query_definitions`` table).

An update replaces the name, query string, log groups and parameters (AWS keeps none of the
old values). ``clientToken`` makes a retried create answer the definition it created.
"""

from __future__ import annotations

import json
import uuid

from overcast.services.logs.errors import InvalidParameterException, ResourceNotFoundException
from overcast.services.logs.paging import INVALID_TOKEN, make_token, read_token
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

DEFINITION_NOT_FOUND = "The specified query definition does not exist."
DEFAULT_PAGE = 1000  # DescribeQueryDefinitions' maxResults goes up to 1,000


class QueryDefinitionOperations:
    def put_query_definition(self, ctx, params: dict) -> dict:
        check_input("PutQueryDefinition", params)
        scope = Scope.of(ctx)
        definition_id = params.get("queryDefinitionId")
        token = params.get("clientToken")
        values = (params["name"], params["queryString"], params.get("queryLanguage") or "CWLI",
                  json.dumps(params.get("logGroupNames") or []),
                  json.dumps(params["parameters"]) if params.get("parameters") else None,
                  int(self.clock.now() * 1000))
        with self.db.transaction():
            if definition_id is not None:
                updated = self.db.execute(
                    "UPDATE insights_query_definitions SET name = ?, query_string = ?, query_language = ?, "
                    "log_group_names = ?, parameters = ?, last_modified_ms = ? "
                    "WHERE definition_id = ? AND account = ? AND region = ?",
                    (*values, definition_id, *scope))
                if not updated:
                    raise ResourceNotFoundException(DEFINITION_NOT_FOUND)
                return {"queryDefinitionId": definition_id}
            if token is not None:
                row = self.db.query_one("SELECT definition_id FROM insights_query_definitions WHERE account = ? "
                                        "AND region = ? AND client_token = ?", (*scope, token))
                if row is not None:
                    return {"queryDefinitionId": row[0]}
            definition_id = str(uuid.uuid4())
            self.db.execute(
                "INSERT INTO insights_query_definitions (name, query_string, query_language, log_group_names, "
                "parameters, last_modified_ms, definition_id, account, region, client_token) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, definition_id, *scope, token))
        return {"queryDefinitionId": definition_id}

    def describe_query_definitions(self, ctx, params: dict) -> dict:
        check_input("DescribeQueryDefinitions", params)
        scope = Scope.of(ctx)
        limit = params.get("maxResults") or DEFAULT_PAGE
        after = read_token("query-definitions", params.get("nextToken"))
        if after is not None and not (isinstance(after, list) and len(after) == 2
                                      and all(isinstance(part, str) for part in after)):
            raise InvalidParameterException(INVALID_TOKEN)
        sql = ("SELECT definition_id, name, query_string, query_language, log_group_names, parameters, "
               "last_modified_ms FROM insights_query_definitions WHERE account = ? AND region = ?")
        args: list = [*scope]
        prefix = params.get("queryDefinitionNamePrefix")
        if prefix:
            sql += " AND substr(name, 1, ?) = ?"
            args += [len(prefix), prefix]
        if params.get("queryLanguage"):
            sql += " AND query_language = ?"
            args.append(params["queryLanguage"])
        if after is not None:
            sql += " AND (name > ? OR (name = ? AND definition_id > ?))"
            args += [after[0], after[0], after[1]]
        sql += " ORDER BY name, definition_id LIMIT ?"
        args.append(limit + 1)
        rows = self.db.query(sql, args)
        definitions = []
        for definition_id, name, text, language, groups, parameters, modified in rows[:limit]:
            item = {"queryLanguage": language, "queryDefinitionId": definition_id, "name": name,
                    "queryString": text, "lastModified": modified, "logGroupNames": json.loads(groups)}
            if parameters:
                item["parameters"] = json.loads(parameters)
            definitions.append(item)
        answer = {"queryDefinitions": definitions}
        if len(rows) > limit:
            answer["nextToken"] = make_token("query-definitions", [rows[limit - 1][1], rows[limit - 1][0]])
        return answer

    def delete_query_definition(self, ctx, params: dict) -> dict:
        check_input("DeleteQueryDefinition", params)
        with self.db.transaction():
            deleted = self.db.execute("DELETE FROM insights_query_definitions WHERE definition_id = ? "
                                      "AND account = ? AND region = ?", (params["queryDefinitionId"], *Scope.of(ctx)))
        if not deleted:
            raise ResourceNotFoundException(DEFINITION_NOT_FOUND)
        return {"success": True}
