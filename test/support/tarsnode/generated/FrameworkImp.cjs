// The "Imp Mode" classes a developer writes over the generated servants: tarsnode's ServerObj, the StatObj and the
// PropertyObj of the platform simulation. Each answers 0 and hands every call to `record(kind, plainData)`.

"use strict";

var TarsStream = require("@tars/stream");
var NodeF = require("./NodeF.cjs").tars;
var StatF = require("./StatF.cjs").tars;
var PropertyF = require("./PropertyF.cjs").tars;

function subclass(Base, methods) {
    var Imp = function () {
        Base.call(this);
    };
    Imp.prototype = Object.create(Base.prototype);
    Imp.prototype.constructor = Imp;
    Object.keys(methods).forEach(function (name) {
        Imp.prototype[name] = methods[name];
    });
    return Imp;
}

function entries(map) {
    var out = [];
    map.forEach(function (key, value) {
        out.push({ head: key.toObject(), body: value.toObject() });
    });
    return out;
}

module.exports.createServerFImp = function (record) {
    return subclass(NodeF.ServerFImp, {
        keepAlive: function (current, serverInfo) {
            record("keepAlive", serverInfo.toObject());
            current.sendResponse(0);
        },
        keepActiving: function (current, serverInfo) {
            record("keepActiving", serverInfo.toObject());
            current.sendResponse(0);
        },
        reportVersion: function (current, app, serverName, version) {
            record("reportVersion", { app: app, serverName: serverName, version: version });
            current.sendResponse(0);
        },
    });
};

module.exports.createStatFImp = function (record) {
    return subclass(StatF.StatFImp, {
        reportMicMsg: function (current, msg, bFromClient) {
            record("reportMicMsg", { fromClient: bFromClient, entries: entries(msg) });
            current.sendResponse(0);
        },
        reportSampleMsg: function (current, msg) {
            record("reportSampleMsg", msg.toObject());
            current.sendResponse(0);
        },
    });
};

module.exports.createPropertyFImp = function (record) {
    return subclass(PropertyF.PropertyFImp, {
        reportPropMsg: function (current, statmsg) {
            record("reportPropMsg", { entries: entries(statmsg) });
            current.sendResponse(0);
        },
    });
};
