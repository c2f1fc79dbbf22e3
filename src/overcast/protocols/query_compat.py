"""Query-protocol traits that json-first models dropped, for services older SDKs still call in query.

SQS moved to the json protocol (``awsQueryCompatible``); its current botocore model kept
``flattened`` but lost the query ``locationName``s (``Attribute.1.Name``,
``MessageAttribute.1.Value.StringValue``...), the ``resultWrapper`` of every output
(``<SendMessageResult>``) and the legacy error codes (``AWS.SimpleQueueService.NonExistentQueue``)
that SDKs speaking query expect. This module restores them as an overlay on the current model:
the traits below are the SQS query model as botocore shipped it before the switch (2012-11-05
API, botocore 1.29), limited to what differs from today's model.

The overlay only serves the query protocol and the query error codes (the
``x-amzn-query-error`` header of json answers); json/cbor parsing keeps the model unchanged,
since ``locationName`` would rename JSON keys.
"""

from __future__ import annotations

import copy
import functools

from botocore.model import ServiceModel

# service -> {"shapes": {shape: traits to merge}, "resultWrappers": bool, "xmlNamespace": str}
LEGACY_QUERY_TRAITS: dict[str, dict] = {
    "sqs": {
        "xmlNamespace": "http://queue.amazonaws.com/doc/2012-11-05/",
        # every output of the query model was wrapped in <{Operation}Result>
        "resultWrappers": True,
        # older SDKs post to the queue URL itself and leave QueueUrl out of the form
        "urlMember": "QueueUrl",
        # ``__type`` of json errors: modelled shapes in the service's namespace, the generic
        # (unmodelled) errors in the framework's, under their json names
        "jsonErrorNamespace": "com.amazonaws.sqs",
        "genericErrorNamespace": "com.amazon.coral.service",
        # generic errors: query (legacy) code -> json name, as SQS answers on each wire
        "genericErrors": {
            "InvalidParameterValue": "InvalidParameterValueException",
            "MissingParameter": "MissingRequiredParameterException",
            "AccessDenied": "AccessDeniedException",
            "IncompleteSignature": "IncompleteSignatureException",
            "InvalidClientTokenId": "UnrecognizedClientException",
            "SignatureDoesNotMatch": "InvalidSignatureException",
            "MissingAuthenticationToken": "MissingAuthenticationTokenException",
            "ExpiredToken": "ExpiredTokenException",
            "InvalidAction": "UnknownOperationException",
            "MalformedInput": "SerializationException",
        },
        # query-wire messages that differ from the json wire's: json text -> query text
        "queryMessages": {
            "The specified queue does not exist.": "The specified queue does not exist for this wsdl version.",
        },
        # an unknown Action, or one that names no queue posted to a queue URL
        "invalidAction": "The action {action} is not valid for this endpoint.",
        "shapes": {'AWSAccountIdList': {'member': {'locationName': 'AWSAccountId'}},
     'ActionNameList': {'member': {'locationName': 'ActionName'}},
     'AttributeNameList': {'member': {'locationName': 'AttributeName'}},
     'BatchEntryIdsNotDistinct': {'error': {'code': 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
                                            'httpStatusCode': 400,
                                            'senderFault': True}},
     'BatchRequestTooLong': {'error': {'code': 'AWS.SimpleQueueService.BatchRequestTooLong',
                                       'httpStatusCode': 400,
                                       'senderFault': True}},
     'BatchResultErrorEntryList': {'member': {'locationName': 'BatchResultErrorEntry'}},
     'BinaryList': {'member': {'locationName': 'BinaryListValue'}},
     'ChangeMessageVisibilityBatchRequestEntryList': {'member': {'locationName': 'ChangeMessageVisibilityBatchRequestEntry'}},
     'ChangeMessageVisibilityBatchResultEntryList': {'member': {'locationName': 'ChangeMessageVisibilityBatchResultEntry'}},
     'CreateQueueRequest': {'members': {'Attributes': {'locationName': 'Attribute'},
                                        'tags': {'locationName': 'Tag'}}},
     'DeleteMessageBatchRequestEntryList': {'member': {'locationName': 'DeleteMessageBatchRequestEntry'}},
     'DeleteMessageBatchResultEntryList': {'member': {'locationName': 'DeleteMessageBatchResultEntry'}},
     'EmptyBatchRequest': {'error': {'code': 'AWS.SimpleQueueService.EmptyBatchRequest',
                                     'httpStatusCode': 400,
                                     'senderFault': True}},
     'GetQueueAttributesResult': {'members': {'Attributes': {'locationName': 'Attribute'}}},
     'InvalidBatchEntryId': {'error': {'code': 'AWS.SimpleQueueService.InvalidBatchEntryId',
                                       'httpStatusCode': 400,
                                       'senderFault': True}},
     # SSE-KMS: KMS's refusals as SQS words them on the query wire
     'KmsAccessDenied': {'error': {'code': 'KMS.AccessDeniedException', 'httpStatusCode': 400, 'senderFault': True}},
     'KmsDisabled': {'error': {'code': 'KMS.DisabledException', 'httpStatusCode': 400, 'senderFault': True}},
     'KmsInvalidKeyUsage': {'error': {'code': 'KMS.InvalidKeyUsageException', 'httpStatusCode': 400,
                                      'senderFault': True}},
     'KmsInvalidState': {'error': {'code': 'KMS.InvalidStateException', 'httpStatusCode': 400, 'senderFault': True}},
     'KmsNotFound': {'error': {'code': 'KMS.NotFoundException', 'httpStatusCode': 400, 'senderFault': True}},
     'KmsOptInRequired': {'error': {'code': 'KMS.OptInRequired', 'httpStatusCode': 403, 'senderFault': True}},
     'KmsThrottled': {'error': {'code': 'KMS.ThrottlingException', 'httpStatusCode': 400, 'senderFault': True}},
     'ListMessageMoveTasksResultEntryList': {'member': {'locationName': 'ListMessageMoveTasksResultEntry'}},
     'ListQueueTagsResult': {'members': {'Tags': {'locationName': 'Tag'}}},
     'Message': {'members': {'Attributes': {'locationName': 'Attribute'},
                             'MessageAttributes': {'locationName': 'MessageAttribute'}}},
     'MessageAttributeNameList': {'member': {'locationName': 'MessageAttributeName'}},
     'MessageAttributeValue': {'members': {'BinaryListValues': {'locationName': 'BinaryListValue'},
                                           'StringListValues': {'locationName': 'StringListValue'}}},
     'MessageBodyAttributeMap': {'key': {'locationName': 'Name'}, 'value': {'locationName': 'Value'}},
     'MessageBodySystemAttributeMap': {'key': {'locationName': 'Name'},
                                       'value': {'locationName': 'Value'}},
     'MessageList': {'member': {'locationName': 'Message'}},
     'MessageNotInflight': {'error': {'code': 'AWS.SimpleQueueService.MessageNotInflight',
                                      'httpStatusCode': 400,
                                      'senderFault': True}},
     'MessageSystemAttributeMap': {'key': {'locationName': 'Name'},
                                   'locationName': 'Attribute',
                                   'value': {'locationName': 'Value'}},
     'MessageSystemAttributeValue': {'members': {'BinaryListValues': {'locationName': 'BinaryListValue'},
                                                 'StringListValues': {'locationName': 'StringListValue'}}},
     'OverLimit': {'error': {'code': 'OverLimit', 'httpStatusCode': 403, 'senderFault': True}},
     'PurgeQueueInProgress': {'error': {'code': 'AWS.SimpleQueueService.PurgeQueueInProgress',
                                        'httpStatusCode': 403,
                                        'senderFault': True}},
     'QueueAttributeMap': {'key': {'locationName': 'Name'},
                           'locationName': 'Attribute',
                           'value': {'locationName': 'Value'}},
     'QueueDeletedRecently': {'error': {'code': 'AWS.SimpleQueueService.QueueDeletedRecently',
                                        'httpStatusCode': 400,
                                        'senderFault': True}},
     'QueueDoesNotExist': {'error': {'code': 'AWS.SimpleQueueService.NonExistentQueue',
                                     'httpStatusCode': 400,
                                     'senderFault': True}},
     'QueueNameExists': {'error': {'code': 'QueueAlreadyExists',
                                   'httpStatusCode': 400,
                                   'senderFault': True}},
     'QueueUrlList': {'member': {'locationName': 'QueueUrl'}},
     'ResourceNotFoundException': {'error': {'code': 'ResourceNotFoundException',
                                             'httpStatusCode': 404,
                                             'senderFault': True}},
     'SendMessageBatchRequestEntry': {'members': {'MessageAttributes': {'locationName': 'MessageAttribute'},
                                                  'MessageSystemAttributes': {'locationName': 'MessageSystemAttribute'}}},
     'SendMessageBatchRequestEntryList': {'member': {'locationName': 'SendMessageBatchRequestEntry'}},
     'SendMessageBatchResultEntryList': {'member': {'locationName': 'SendMessageBatchResultEntry'}},
     'SendMessageRequest': {'members': {'MessageAttributes': {'locationName': 'MessageAttribute'},
                                        'MessageSystemAttributes': {'locationName': 'MessageSystemAttribute'}}},
     'SetQueueAttributesRequest': {'members': {'Attributes': {'locationName': 'Attribute'}}},
     'StringList': {'member': {'locationName': 'StringListValue'}},
     'TagKeyList': {'member': {'locationName': 'TagKey'}},
     'TagMap': {'key': {'locationName': 'Key'},
                'locationName': 'Tag',
                'value': {'locationName': 'Value'}},
     'TooManyEntriesInBatchRequest': {'error': {'code': 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
                                                'httpStatusCode': 400,
                                                'senderFault': True}},
     'UnsupportedOperation': {'error': {'code': 'AWS.SimpleQueueService.UnsupportedOperation',
                                        'httpStatusCode': 400,
                                        'senderFault': True}}},
    },
}


def has_overlay(service_name: str) -> bool:
    """Whether ``service_name`` has legacy query traits."""
    return service_name in LEGACY_QUERY_TRAITS


@functools.lru_cache(maxsize=None)
def _overlaid(service_model: ServiceModel) -> ServiceModel:
    overlay = LEGACY_QUERY_TRAITS[service_model.service_name]
    description = copy.deepcopy(service_model._service_description)
    shapes = description["shapes"]
    for name, traits in overlay["shapes"].items():
        target = shapes.get(name)
        if target is None:
            continue
        for key, value in traits.items():
            if key == "members":
                for member, member_traits in value.items():
                    if member in target.get("members", {}):
                        target["members"][member].update(member_traits)
            elif key in ("member", "key", "value"):
                target[key].update(value)
            else:
                target[key] = copy.deepcopy(value)
    if overlay.get("resultWrappers"):
        for name, operation in description["operations"].items():
            output = operation.get("output")
            if output is not None:
                output.setdefault("resultWrapper", f"{name}Result")
    description["metadata"].setdefault("xmlNamespace", overlay["xmlNamespace"])
    model = ServiceModel(description, service_name=service_model.service_name)
    model.overcast_query_overlay = True
    return model


def query_model(service_model: ServiceModel) -> ServiceModel:
    """The model to read and write ``service_model``'s query protocol with (overlaid when needed)."""
    if service_model.service_name not in LEGACY_QUERY_TRAITS or getattr(service_model, "overcast_query_overlay", False):
        return service_model
    return _overlaid(service_model)


def legacy_error(service_name: str, shape_name: str) -> dict | None:
    """The legacy ``error`` trait (code, httpStatusCode, senderFault) of an error shape, if any."""
    overlay = LEGACY_QUERY_TRAITS.get(service_name)
    if overlay is None:
        return None
    return overlay["shapes"].get(shape_name, {}).get("error")


def url_member(service_name: str) -> str | None:
    """The input member a request's own URL stands for when the form leaves it out (SQS's
    ``QueueUrl``: ``POST /<account>/<queue>`` with ``Action=SendMessage``), if any."""
    overlay = LEGACY_QUERY_TRAITS.get(service_name)
    return overlay.get("urlMember") if overlay else None


@functools.lru_cache(maxsize=None)
def _generic_errors(service_name: str) -> dict[str, tuple[str, str]]:
    """Every spelling of a generic error (query code or json name) -> (query code, json name)."""
    overlay = LEGACY_QUERY_TRAITS.get(service_name) or {}
    table: dict[str, tuple[str, str]] = {}
    for query_code, json_name in (overlay.get("genericErrors") or {}).items():
        table[query_code] = table[json_name] = (query_code, json_name)
    return table


def generic_error(service_name: str, code: str) -> tuple[str, str] | None:
    """(query code, json name) of an unmodelled error raised as either spelling
    (``InvalidParameterValue`` or ``InvalidParameterValueException``), or None."""
    return _generic_errors(service_name).get(code)


def json_error_type(service_name: str, name: str, modelled: bool) -> str:
    """The ``__type`` of a json error named ``name``: namespaced where the service's answers are."""
    overlay = LEGACY_QUERY_TRAITS.get(service_name)
    if overlay is None:
        return name
    namespace = overlay["jsonErrorNamespace"] if modelled else overlay["genericErrorNamespace"]
    return f"{namespace}#{name}"


def query_message(service_name: str, message: str) -> str:
    """The text the query wire gives an error ``message`` (the same but where it differs)."""
    overlay = LEGACY_QUERY_TRAITS.get(service_name)
    return overlay.get("queryMessages", {}).get(message, message) if overlay else message


def invalid_action_message(service_name: str, action: str) -> str | None:
    """The service's own message for an Action it does not have at this endpoint, if any."""
    overlay = LEGACY_QUERY_TRAITS.get(service_name)
    template = overlay.get("invalidAction") if overlay else None
    return template.format(action=action) if template else None
